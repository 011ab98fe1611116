// Fused mixture log-density kernels. Written with GCC vector types (8 floats) so that one source gives
// AVX2+FMA code on CPUs that have it and SSE code elsewhere (function multi-versioning picks at load
// time). Each row's K component terms live in a small buffer: the [N, K] matrix the generic tensor
// path materializes (and page-faults in) several times per call never exists.
#include "mixture_kernel.h"

#include <cmath>
#include <cstring>
#include <limits>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VT_MULTIVERSION __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define VT_MULTIVERSION
#endif

namespace vt::mixture {
namespace {

constexpr int kWidth = 8;
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

// Pad bias: far below any real log-density but finite, so pad − max never makes inf − inf.
constexpr float kPadBias = -1e30f;

inline v8f splat(float s) { return v8f{s, s, s, s, s, s, s, s}; }
inline v8f load(const float* p) { v8f v; std::memcpy(&v, p, sizeof v); return v; }
inline void store(float* p, v8f v) { std::memcpy(p, &v, sizeof v); }
inline float hsum(v8f v) { float s = 0; for (int i = 0; i < kWidth; ++i) s += v[i]; return s; }
inline float hmax(v8f v) { float m = v[0]; for (int i = 1; i < kWidth; ++i) m = v[i] > m ? v[i] : m; return m; }

// e^x for x ≤ 0 (arguments are always "value − max"), Cephes expf: round-to-nearest range reduction by
// the 1.5·2^23 trick, degree-6 polynomial, exponent built in the float's bits. Inputs below −87.3 are
// clamped (result ≈ 1e−38, negligible next to the max term, which is 1). About 1 ulp.
inline v8f exp_nonpositive(v8f x) {
  const v8f lo = splat(-87.3f);
  x = x < lo ? lo : x;
  const v8f magic = splat(12582912.0f);
  v8f j = x * splat(1.44269504088896341f) + magic;
  v8f k = j - magic;
  v8i n = (v8i)j - (v8i)magic;
  v8f r = x - k * splat(0.693359375f) - k * splat(-2.12194440e-4f);
  v8f p = splat(1.9875691500e-4f);
  p = p * r + splat(1.3981999507e-3f);
  p = p * r + splat(8.3334519073e-3f);
  p = p * r + splat(4.1665795894e-2f);
  p = p * r + splat(1.6666665459e-1f);
  p = p * r + splat(5.0000001201e-1f);
  p = p * (r * r) + r + splat(1.0f);
  v8i bits = (n + 127) << 23;
  return p * (v8f)bits;
}

inline bool row_finite(const float* zn, int64_t d) {
  for (int64_t j = 0; j < d; ++j)
    if (!std::isfinite(zn[j])) return false;
  return true;
}

// a_b = bias − Σ_j h_j (z_j − μ_j)² for every block of 8 components into a (kp floats, no alignment
// assumed: plain allocations are only 16-byte aligned); returns the running max.
inline v8f row_terms(const Components& c, const float* zn, float* a, int64_t blocks) {
  v8f vmax = splat(-std::numeric_limits<float>::infinity());
  for (int64_t b = 0; b < blocks; ++b) {
    v8f acc = load(&c.bias[b * kWidth]);
    for (int64_t j = 0; j < c.d; ++j) {
      v8f t = splat(zn[j]) - load(&c.mean[j * c.kp + b * kWidth]);
      acc -= load(&c.half_prec[j * c.kp + b * kWidth]) * t * t;
    }
    store(a + b * kWidth, acc);
    vmax = acc > vmax ? acc : vmax;
  }
  return vmax;
}

}  // namespace

Components prepare(const float* mean, const float* logvar, const float* logweight, int64_t k, int64_t d) {
  Components c;
  c.k = k;
  c.d = d;
  c.kp = (k + kWidth - 1) / kWidth * kWidth;
  c.mean.assign(d * c.kp, 0.0f);
  c.half_prec.assign(d * c.kp, 0.0f);
  c.bias.assign(c.kp, kPadBias);
  for (int64_t i = 0; i < k; ++i) {
    double bias = logweight[i];
    if (std::isnan(logweight[i])) c.finite = false;
    for (int64_t j = 0; j < d; ++j) {
      float m = mean[i * d + j], lv = logvar[i * d + j];
      if (!std::isfinite(m) || !std::isfinite(lv)) c.finite = false;
      c.mean[j * c.kp + i] = m;
      c.half_prec[j * c.kp + i] = static_cast<float>(0.5 * std::exp(-static_cast<double>(lv)));
      bias -= 0.5 * lv;
    }
    // A zero-weight component (log w = −inf) is kept finite so that it simply never contributes.
    c.bias[i] = bias < kPadBias ? kPadBias : static_cast<float>(bias);
  }
  return c;
}

VT_MULTIVERSION
void forward(const Components& c, const float* z, int64_t begin, int64_t end, float* lse, float* usage_sum) {
  const int64_t blocks = c.kp / kWidth, d = c.d;
  std::vector<float> buffer(c.kp);
  float* a = buffer.data();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int64_t n = begin; n < end; ++n) {
    const float* zn = z + n * d;
    if (!c.finite || !row_finite(zn, d)) {
      lse[n] = nan;
      if (usage_sum) for (int64_t i = 0; i < c.kp; ++i) usage_sum[i] = nan;
      continue;
    }
    const float m = hmax(row_terms(c, zn, a, blocks));
    v8f s = splat(0.0f);
    for (int64_t b = 0; b < blocks; ++b) {
      v8f e = exp_nonpositive(load(a + b * kWidth) - splat(m));
      store(a + b * kWidth, e);
      s += e;
    }
    const float total = hsum(s);
    lse[n] = m + std::log(total);
    if (usage_sum) {
      const v8f inv = splat(1.0f / total);
      for (int64_t b = 0; b < blocks; ++b) store(usage_sum + b * kWidth, load(usage_sum + b * kWidth) + load(a + b * kWidth) * inv);
    }
  }
}

VT_MULTIVERSION
void backward(const Components& c, const float* z, const float* lse, int64_t begin, int64_t end,
              const float* g_lse, const float* g_usage, float* grad_z,
              float* grad_mean, float* grad_logvar, float* grad_bias) {
  const int64_t blocks = c.kp / kWidth, d = c.d, kp = c.kp;
  std::vector<float> buffer(c.kp);
  float* a = buffer.data();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int64_t n = begin; n < end; ++n) {
    const float* zn = z + n * d;
    const float g = g_lse ? g_lse[n] : 0.0f;
    if (!c.finite || !row_finite(zn, d) || !std::isfinite(lse[n])) {
      // A non-finite row poisons every gradient it touches, as the unfused computation would.
      if (grad_z) for (int64_t j = 0; j < d; ++j) grad_z[n * d + j] = nan;
      if (grad_bias) for (int64_t i = 0; i < kp; ++i) grad_bias[i] = nan;
      if (grad_mean) for (int64_t i = 0; i < d * kp; ++i) grad_mean[i] = grad_logvar[i] = nan;
      continue;
    }
    row_terms(c, zn, a, blocks);
    const v8f l = splat(lse[n]);
    v8f ubar = splat(0.0f);
    for (int64_t b = 0; b < blocks; ++b) {
      v8f r = exp_nonpositive(load(a + b * kWidth) - l);  // responsibilities r_nk
      store(a + b * kWidth, r);
      if (g_usage) ubar += r * load(g_usage + b * kWidth);
    }
    const float u = g_usage ? hsum(ubar) : 0.0f;
    for (int64_t b = 0; b < blocks; ++b) {
      const v8f r = load(a + b * kWidth);
      v8f coef = g_usage ? r * (splat(g - u) + load(g_usage + b * kWidth)) : r * splat(g);
      store(a + b * kWidth, coef);
      if (grad_bias) store(grad_bias + b * kWidth, load(grad_bias + b * kWidth) + coef);
    }
    if (!grad_mean) {
      // Only the latents' gradient (a stop-gradient prior): skip the component accumulators.
      for (int64_t j = 0; j < d; ++j) {
        const v8f zj = splat(zn[j]);
        v8f dz = splat(0.0f);
        for (int64_t b = 0; b < blocks; ++b) {
          const int64_t o = j * kp + b * kWidth;
          v8f ht = load(&c.half_prec[o]) * (zj - load(&c.mean[o]));
          dz += load(a + b * kWidth) * ht;  // the same arithmetic as the full path below
        }
        grad_z[n * d + j] = -2.0f * hsum(dz);
      }
      continue;
    }
    for (int64_t j = 0; j < d; ++j) {
      const v8f zj = splat(zn[j]);
      v8f dz = splat(0.0f);
      float* gm = grad_mean + j * kp;
      float* gl = grad_logvar + j * kp;
      for (int64_t b = 0; b < blocks; ++b) {
        const int64_t o = j * kp + b * kWidth;
        v8f t = zj - load(&c.mean[o]);
        v8f ht = load(&c.half_prec[o]) * t;
        const v8f coef = load(a + b * kWidth);
        v8f cht = coef * ht;
        dz += cht;
        store(gm + b * kWidth, load(gm + b * kWidth) + cht + cht);
        store(gl + b * kWidth, load(gl + b * kWidth) + coef * (ht * t - splat(0.5f)));
      }
      if (grad_z) grad_z[n * d + j] = -2.0f * hsum(dz);
    }
  }
}

}  // namespace vt::mixture
