// Fused mixture log-density kernels. Written with GCC vector types (16 floats) so that one source gives
// AVX-512 code on CPUs that have it, AVX2+FMA code (two halves per vector) on those that have that, and
// SSE code elsewhere (function multi-versioning picks at load time). Each row's K component terms live in a small buffer: the [N, K] matrix the generic tensor
// path materializes (and page-faults in) several times per call never exists.
#include "mixture_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

// A build may define VT_MULTIVERSION itself (empty, to compile one version for its -march).
#if defined(VT_MULTIVERSION)
#elif defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VT_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VT_MULTIVERSION
#endif

namespace vt::mixture {
namespace {

// Every helper is force-inlined: each multi-versioned kernel then holds its own copy compiled for its
// target. A call to an out-of-line copy would pass vectors under a different ABI (registers on one side,
// memory on the other).
#define VT_INLINE inline __attribute__((always_inline))

constexpr int kWidth = 16;
typedef float v8f __attribute__((vector_size(64)));
typedef int32_t v8i __attribute__((vector_size(64)));

// Pad bias: far below any real log-density but finite, so pad − max never makes inf − inf.
constexpr float kPadBias = -1e30f;

// Scalar-vector arithmetic broadcasts (one vbroadcastss); a braced list of eight copies is built lane by lane.
VT_INLINE v8f splat(float s) { return v8f{} + s; }
VT_INLINE v8f load(const float* p) { v8f v; std::memcpy(&v, p, sizeof v); return v; }
VT_INLINE void store(float* p, v8f v) { std::memcpy(p, &v, sizeof v); }
// Horizontal reductions as a three-step shuffle tree instead of a serial chain over the lanes.
VT_INLINE v8f swap_halves(v8f v, v8i pattern) { return __builtin_shuffle(v, pattern); }
VT_INLINE float hsum(v8f v) {
  v += swap_halves(v, v8i{8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7});
  v += swap_halves(v, v8i{4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11});
  v += swap_halves(v, v8i{2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13});
  v += swap_halves(v, v8i{1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14});
  return v[0];
}
VT_INLINE v8f vmax(v8f a, v8f b) { return a > b ? a : b; }
VT_INLINE float hmax(v8f v) {
  v = vmax(v, swap_halves(v, v8i{8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7}));
  v = vmax(v, swap_halves(v, v8i{4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11}));
  v = vmax(v, swap_halves(v, v8i{2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13}));
  v = vmax(v, swap_halves(v, v8i{1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14}));
  return v[0];
}

// Terms more than this many nats below a row's largest are dropped (e^−60 ≈ 1e−26 next to the largest
// term, which is 1): far below float resolution, and it keeps the gradient accumulators out of the
// subnormal range, where arithmetic is many times slower.
constexpr float kNegligible = -60.0f;

// e^x for x ≤ 0 (arguments are always "value − max"), Cephes expf: round-to-nearest range reduction by
// the 1.5·2^23 trick, Cephes's polynomial, exponent built in the float's bits. Exactly 0 below
// kNegligible. About 1 ulp above it.
VT_INLINE v8f exp_nonpositive(v8f x) {
  // Lanes below kNegligible are masked to 0 at the end, so they need no clamping: whatever their
  // exponent bits become, they never leave this function (inputs are always finite here).
  const v8i keep = x >= splat(kNegligible);
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
  p = (p * r + splat(1.0f)) * r + splat(1.0f);  // 1 + r + r²·p, as two fused steps
  v8i bits = (n + 127) << 23;
  return (v8f)((v8i)(p * (v8f)bits) & keep);
}

VT_INLINE bool row_finite(const float* zn, int64_t d) {
  for (int64_t j = 0; j < d; ++j)
    if (!std::isfinite(zn[j])) return false;
  return true;
}

// a_b = bias − Σ_j h_j (z_j − μ_j)² for every block of kWidth components into a (kp floats, no alignment
// assumed: plain allocations are only 16-byte aligned); returns the running max.
VT_INLINE v8f row_terms(const Components& c, const float* zn, float* a, int64_t blocks) {
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

// Adds one row's gradients, weighted by coef[k] (its responsibilities times their cotangents), into the
// [d][kp] accumulators: grad_mean_kj += 2 c_k h_kj t_kj and grad_logvar_kj += c_k (h_kj t_kj² − ½) with
// t = z − μ; writes ∂/∂z_j = −2 Σ_k c_k h_kj t_kj into dz[j].
VT_INLINE void add_row_gradients(const Components& c, const float* zn, const float* coef, int64_t blocks,
                                 float* grad_mean, float* grad_logvar, float* dz) {
  const int64_t kp = c.kp;
  for (int64_t j = 0; j < c.d; ++j) {
    const v8f zj = splat(zn[j]);
    v8f acc = splat(0.0f);
    float* gm = grad_mean + j * kp;
    float* gl = grad_logvar + j * kp;
    for (int64_t k = 0; k < blocks; ++k) {
      const int64_t o = j * kp + k * kWidth;
      const v8f t = zj - load(&c.mean[o]);
      const v8f ht = load(&c.half_prec[o]) * t;
      const v8f w = load(coef + k * kWidth);
      const v8f wht = w * ht;
      acc += wht;
      store(gm + k * kWidth, load(gm + k * kWidth) + wht + wht);
      store(gl + k * kWidth, load(gl + k * kWidth) + w * (ht * t - splat(0.5f)));
    }
    dz[j] = -2.0f * hsum(acc);
  }
}

// Four samples of one 2-D posterior at once: the component parameters are loaded once per block for
// all four rows, and the rows' dependency chains (maximum, exponentials, sums) interleave. These need
// about 30 vector registers, so they are only used where the CPU has AVX-512's 32.

// Pass 1: the terms a (four rows of kp) and each row's maximum term.
VT_INLINE void rows4_terms_d2(const Components& c, const v8f (&zs)[4][2], float* a, int64_t blocks, float (&mx)[4]) {
  const int64_t kp = c.kp;
  v8f vm[4];
  for (int r = 0; r < 4; ++r) vm[r] = splat(-std::numeric_limits<float>::infinity());
  for (int64_t k = 0; k < blocks; ++k) {
    const int64_t o = k * kWidth;
    const v8f bias = load(&c.bias[o]);
    const v8f m0 = load(&c.mean[o]), m1 = load(&c.mean[kp + o]);
    const v8f h0 = load(&c.half_prec[o]), h1 = load(&c.half_prec[kp + o]);
    for (int r = 0; r < 4; ++r) {
      const v8f t0 = zs[r][0] - m0, t1 = zs[r][1] - m1;
      const v8f acc = bias - h0 * t0 * t0 - h1 * t1 * t1;
      store(a + r * kp + o, acc);
      vm[r] = vmax(vm[r], acc);
    }
  }
  for (int r = 0; r < 4; ++r) mx[r] = hmax(vm[r]);
}

VT_INLINE void splat_rows4_d2(const float (&z)[4][2], v8f (&zs)[4][2]) {
  for (int r = 0; r < 4; ++r) {
    zs[r][0] = splat(z[r][0]);
    zs[r][1] = splat(z[r][1]);
  }
}

// The posterior-only gradient: each row's maximum, Σ_k e^{a − max} and ∂lse/∂z.
VT_INLINE void post_rows4_d2(const Components& c, const float (&z)[4][2], float* a, int64_t blocks,
                             float (&mx)[4], float (&total)[4], float (&dz)[4][2]) {
  const int64_t kp = c.kp;
  v8f zs[4][2];
  splat_rows4_d2(z, zs);
  rows4_terms_d2(c, zs, a, blocks, mx);
  v8f sums[4], g0[4], g1[4], vmx[4];
  for (int r = 0; r < 4; ++r) {
    vmx[r] = splat(mx[r]);
    sums[r] = g0[r] = g1[r] = splat(0.0f);
  }
  for (int64_t k = 0; k < blocks; ++k) {
    const int64_t o = k * kWidth;
    const v8f m0 = load(&c.mean[o]), m1 = load(&c.mean[kp + o]);
    const v8f h0 = load(&c.half_prec[o]), h1 = load(&c.half_prec[kp + o]);
    for (int r = 0; r < 4; ++r) {
      const v8f e = exp_nonpositive(load(a + r * kp + o) - vmx[r]);
      sums[r] += e;
      g0[r] += e * (h0 * (zs[r][0] - m0));
      g1[r] += e * (h1 * (zs[r][1] - m1));
    }
  }
  for (int r = 0; r < 4; ++r) {
    total[r] = hsum(sums[r]);
    dz[r][0] = -2.0f * hsum(g0[r]) / total[r];
    dz[r][1] = -2.0f * hsum(g1[r]) / total[r];
  }
}

// The prior-only gradient: each row's maximum and Σ_k e^{a − max}, and the four rows' responsibilities
// added into the mean, log-variance ([2][kp]) and bias ([kp]) accumulators, once per block.
VT_INLINE void prior_rows4_d2(const Components& c, const float (&z)[4][2], float* a, int64_t blocks,
                              float* gm, float* gl, float* gb, float (&mx)[4], float (&total)[4]) {
  const int64_t kp = c.kp;
  v8f zs[4][2];
  splat_rows4_d2(z, zs);
  rows4_terms_d2(c, zs, a, blocks, mx);
  v8f sums[4], vmx[4], inv[4];
  for (int r = 0; r < 4; ++r) {
    vmx[r] = splat(mx[r]);
    sums[r] = splat(0.0f);
  }
  for (int64_t k = 0; k < blocks; ++k)
    for (int r = 0; r < 4; ++r) {
      const v8f e = exp_nonpositive(load(a + r * kp + k * kWidth) - vmx[r]);
      store(a + r * kp + k * kWidth, e);
      sums[r] += e;
    }
  for (int r = 0; r < 4; ++r) {
    total[r] = hsum(sums[r]);
    inv[r] = splat(1.0f / total[r]);
  }
  for (int64_t k = 0; k < blocks; ++k) {
    const int64_t o = k * kWidth;
    v8f resp[4];
    for (int r = 0; r < 4; ++r) resp[r] = load(a + r * kp + o) * inv[r];
    store(gb + o, load(gb + o) + ((resp[0] + resp[1]) + (resp[2] + resp[3])));
    for (int j = 0; j < 2; ++j) {
      const v8f mu = load(&c.mean[j * kp + o]), h = load(&c.half_prec[j * kp + o]);
      v8f sum_m = splat(0.0f), sum_l = splat(0.0f);
      for (int r = 0; r < 4; ++r) {
        const v8f t = zs[r][j] - mu;
        const v8f ht = h * t;
        sum_m += resp[r] * ht;
        sum_l += resp[r] * (ht * t - splat(0.5f));
      }
      store(gm + j * kp + o, load(gm + j * kp + o) + sum_m + sum_m);
      store(gl + j * kp + o, load(gl + j * kp + o) + sum_l);
    }
  }
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
  std::vector<float> buffer(c.kp), dz_unused(d);
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
    add_row_gradients(c, zn, a, blocks, grad_mean, grad_logvar, grad_z ? grad_z + n * d : dz_unused.data());
  }
}

VT_MULTIVERSION
void monte_carlo_pass(const Components& c, const MonteCarloRows& rows, int64_t begin, int64_t end,
                      float* mean_lse, const MonteCarloGrads& grads) {
  const int64_t blocks = c.kp / kWidth, d = c.d, kp = c.kp, m_count = rows.samples;
  const int64_t prior_len = (2 * d + 1) * kp;
  // The row's terms and this posterior's prior gradients side by side: one small block that stays in L1.
  std::vector<float> work(kp + (grads.prior ? prior_len : 0)), z(d), dz(d);
  std::vector<double> g_mean(d), g_eps(d);
  float* a = work.data();
  float* gp = grads.prior ? a + kp : nullptr;
  float* gm = gp;                      // [d][kp]
  float* gl = gp ? gp + d * kp : nullptr;
  float* gb = gp ? gp + 2 * d * kp : nullptr;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const double inv_m = 1.0 / static_cast<double>(m_count);
  const bool post_only = grads.post && !grads.prior;
  const bool prior_only = grads.prior && !grads.post;
  // The four-row sweeps for the common 2-D cases (see rows4_terms_d2).
  static const bool wide_registers = __builtin_cpu_supports("avx512f");
  const bool four_rows = (post_only || prior_only) && d == 2 && wide_registers;
  std::vector<float> work4(four_rows ? 4 * kp : 0);
  for (int64_t b = begin; b < end; ++b) {
    const float* mu = rows.post_mean + b * d;
    const float* sd = rows.post_std + b * d;
    float* out_prior = grads.prior ? grads.prior + b * prior_len : nullptr;
    if (gp) std::memset(gp, 0, sizeof(float) * prior_len);
    std::fill(g_mean.begin(), g_mean.end(), 0.0);
    std::fill(g_eps.begin(), g_eps.end(), 0.0);
    // Σ_m lse = Σ_m max_m + log Π_m total_m: one log per posterior instead of one per sample. The
    // product is kept as mantissa × 2^exponent (each total lies in [1, kp], so it only grows).
    double max_sum = 0.0, product = 1.0;
    int64_t exponent = 0;
    float mx = 0.0f;
    auto add_log_total = [&](float total) {
      max_sum += mx;
      product *= total;
      if (product > 0x1p900) {
        int e2 = 0;
        product = std::frexp(product, &e2);
        exponent += e2;
      }
    };
    bool finite = c.finite;
    int64_t m = 0;
    if (four_rows) {
      for (; m + 4 <= m_count && finite; m += 4) {
        float zr[4][2], mxr[4], totals[4], dzr[4][2] = {};
        const float* epsr[4];
        for (int r = 0; r < 4; ++r) {
          epsr[r] = rows.noise + (m + r) * rows.sample_stride + b * rows.row_stride;
          zr[r][0] = mu[0] + sd[0] * epsr[r][0];
          zr[r][1] = mu[1] + sd[1] * epsr[r][1];
          if (!row_finite(zr[r], 2)) finite = false;
        }
        if (!finite) break;
        if (post_only) post_rows4_d2(c, zr, work4.data(), blocks, mxr, totals, dzr);
        else prior_rows4_d2(c, zr, work4.data(), blocks, gm, gl, gb, mxr, totals);
        for (int r = 0; r < 4; ++r) {
          mx = mxr[r];
          add_log_total(totals[r]);
          if (!post_only) continue;
          for (int j = 0; j < 2; ++j) {
            g_mean[j] += dzr[r][j];
            g_eps[j] += static_cast<double>(dzr[r][j]) * epsr[r][j];
          }
        }
      }
    }
    for (; m < m_count && finite; ++m) {
      const float* eps = rows.noise + m * rows.sample_stride + b * rows.row_stride;
      for (int64_t j = 0; j < d; ++j) z[j] = mu[j] + sd[j] * eps[j];
      if (!row_finite(z.data(), d)) { finite = false; break; }
      mx = hmax(row_terms(c, z.data(), a, blocks));
      v8f s = splat(0.0f);
      if (post_only && d == 2) {
        // The common 2-D case in one sweep: exponentials and the latent gradient's sums together.
        const v8f z0 = splat(z[0]), z1 = splat(z[1]);
        v8f acc0 = splat(0.0f), acc1 = splat(0.0f);
        for (int64_t k = 0; k < blocks; ++k) {
          const v8f e = exp_nonpositive(load(a + k * kWidth) - splat(mx));
          s += e;
          acc0 += e * (load(&c.half_prec[k * kWidth]) * (z0 - load(&c.mean[k * kWidth])));
          acc1 += e * (load(&c.half_prec[kp + k * kWidth]) * (z1 - load(&c.mean[kp + k * kWidth])));
        }
        const float total = hsum(s);
        add_log_total(total);
        dz[0] = -2.0f * hsum(acc0) / total;
        dz[1] = -2.0f * hsum(acc1) / total;
        for (int64_t j = 0; j < d; ++j) {
          g_mean[j] += dz[j];
          g_eps[j] += static_cast<double>(dz[j]) * eps[j];
        }
        continue;
      }
      for (int64_t k = 0; k < blocks; ++k) {
        v8f e = exp_nonpositive(load(a + k * kWidth) - splat(mx));
        store(a + k * kWidth, e);
        s += e;
      }
      const float total = hsum(s);
      add_log_total(total);
      if (!grads.post && !gp) continue;
      // Responsibilities r_k = e_k / total; ∂lse/∂z_j = −2 Σ_k r_k h_kj (z_j − μ_kj).
      const v8f inv = splat(1.0f / total);
      if (gp) {
        for (int64_t k = 0; k < blocks; ++k) {
          const v8f r = load(a + k * kWidth) * inv;
          store(a + k * kWidth, r);
          store(gb + k * kWidth, load(gb + k * kWidth) + r);
        }
        add_row_gradients(c, z.data(), a, blocks, gm, gl, dz.data());
      } else {
        for (int64_t j = 0; j < d; ++j) {
          const v8f zj = splat(z[j]);
          v8f acc = splat(0.0f);
          for (int64_t k = 0; k < blocks; ++k) {
            const int64_t o = j * kp + k * kWidth;
            acc += load(a + k * kWidth) * (load(&c.half_prec[o]) * (zj - load(&c.mean[o])));
          }
          dz[j] = -2.0f * hsum(acc) / total;
        }
      }
      if (grads.post)
        for (int64_t j = 0; j < d; ++j) {
          g_mean[j] += dz[j];
          g_eps[j] += static_cast<double>(dz[j]) * eps[j];
        }
    }
    if (!finite) {
      // A non-finite sample (or mixture) poisons this posterior's value and every gradient it reaches.
      mean_lse[b] = nan;
      if (grads.post) for (int64_t j = 0; j < 2 * d; ++j) grads.post[b * 2 * d + j] = nan;
      if (gp) for (int64_t i = 0; i < prior_len; ++i) out_prior[i] = nan;
      continue;
    }
    mean_lse[b] = static_cast<float>((max_sum + std::log(product) + static_cast<double>(exponent) * 0.69314718055994530942) * inv_m);
    if (grads.post)
      for (int64_t j = 0; j < d; ++j) {
        // z = μ + e^{lv/2} ε: ∂z/∂μ = 1, ∂z/∂lv = σ ε / 2.
        grads.post[b * 2 * d + j] = static_cast<float>(g_mean[j] * inv_m);
        grads.post[b * 2 * d + d + j] = static_cast<float>(g_eps[j] * inv_m * 0.5 * sd[j]);
      }
    if (gp) {
      const float scale = static_cast<float>(inv_m);
      for (int64_t i = 0; i < prior_len; ++i) out_prior[i] = gp[i] * scale;
    }
  }
}

}  // namespace vt::mixture
