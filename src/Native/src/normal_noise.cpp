// Standard-normal noise for Monte-Carlo estimates, drawn several times faster than at::randn on the CPU.
// A counter-based generator: the pair of normals at pair index p of a draw is a pure function of (seed, p),
// so any thread count and any split of the work give the same numbers. The seed of each draw comes from
// libtorch's default CPU generator, so torch's manual seed governs it like any other random op.
//
// Pair p: h = SplitMix64's output function applied to seed + (p + 1)·γ (the SplitMix64 sequence of that
// seed, which passes BigCrush), then Box–Muller on bits of h: 24 bits give u ∈ (0, 1) for the radius
// √(−2 ln u), 2 bits pick the quadrant of the angle and 22 bits its position inside it. The radius is
// at most √(−2 ln 2^−25) ≈ 5.9, so tails beyond 5.9σ (probability 4e−9) are cut, as with any 24-bit
// uniform.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/core/Generator.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

#include "internal.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VT_NOISE_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VT_NOISE_MULTIVERSION
#endif
#define VT_NOISE_INLINE inline __attribute__((always_inline))

namespace {

constexpr int kLanes = 8;  // pairs per vector step
typedef uint64_t u64x8 __attribute__((vector_size(64)));
typedef int32_t i32x8 __attribute__((vector_size(32)));
typedef uint32_t u32x8 __attribute__((vector_size(32)));
typedef float f32x8 __attribute__((vector_size(32)));

VT_NOISE_INLINE f32x8 splat(float s) { return f32x8{} + s; }

VT_NOISE_INLINE u64x8 splitmix(u64x8 z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// ln x for x in (0, 1], Cephes logf: x = m·2^e with m ∈ [√½, √2), degree-8 polynomial in m − 1.
VT_NOISE_INLINE f32x8 log_unit(f32x8 x) {
  i32x8 bits = (i32x8)x;
  i32x8 e = ((bits >> 23) & 0xff) - 126;
  f32x8 m = (f32x8)((bits & 0x007fffff) | 0x3f000000);  // [0.5, 1)
  const i32x8 small = m < splat(0.707106781186547524f);
  e += small;                                   // −1 where m is doubled
  m = (f32x8)((i32x8)m & small) + m - splat(1.0f);  // 2m − 1 or m − 1
  const f32x8 z = m * m;
  f32x8 y = splat(7.0376836292e-2f);
  y = y * m + splat(-1.1514610310e-1f);
  y = y * m + splat(1.1676998740e-1f);
  y = y * m + splat(-1.2420140846e-1f);
  y = y * m + splat(1.4249322787e-1f);
  y = y * m + splat(-1.6668057665e-1f);
  y = y * m + splat(2.0000714765e-1f);
  y = y * m + splat(-2.4999993993e-1f);
  y = y * m + splat(3.3333331174e-1f);
  y = y * m * z;
  const f32x8 ef = __builtin_convertvector(e, f32x8);
  y += ef * splat(-2.12194440e-4f);
  y += splat(-0.5f) * z;
  return m + y + ef * splat(0.693359375f);
}

// √x lane by lane; compiled with -fno-math-errno this is one vector square root.
VT_NOISE_INLINE f32x8 sqrt8(f32x8 x) {
  for (int l = 0; l < kLanes; ++l) x[l] = __builtin_sqrtf(x[l]);
  return x;
}

// Normals for pairs [first, first + count): out[2i], out[2i + 1] for pair first + i.
VT_NOISE_MULTIVERSION
void fill_pairs(uint64_t seed, int64_t first, int64_t count, float* out) {
  constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ull;
  const float kHalfPi = 1.57079632679489662f;
  for (int64_t i = 0; i < count; i += kLanes) {
    u64x8 p;
    for (int l = 0; l < kLanes; ++l) p[l] = static_cast<uint64_t>(first + i + l + 1);
    const u64x8 h = splitmix(p * kGamma + seed);
    // u ∈ (0, 1) from the top 24 bits; the angle inside its quadrant, t ∈ [−π/4, π/4), from the low 22
    // bits; the quadrant from the 2 bits above them.
    const u32x8 hi = __builtin_convertvector(h >> 40, u32x8);
    const u32x8 lo = __builtin_convertvector(h & 0xFFFFFFull, u32x8);
    const f32x8 u = (__builtin_convertvector((i32x8)hi, f32x8) + splat(0.5f)) * splat(0x1p-24f);
    const f32x8 t = ((__builtin_convertvector((i32x8)(lo & 0x3FFFFFu), f32x8) + splat(0.5f)) * splat(0x1p-22f) - splat(0.5f)) * splat(kHalfPi);
    const i32x8 quadrant = (i32x8)(lo >> 22);
    const f32x8 radius = sqrt8(splat(-2.0f) * log_unit(u));
    // sin and cos on [−π/4, π/4] (Cephes sinf/cosf polynomials).
    const f32x8 t2 = t * t;
    const f32x8 s = t + t * t2 * ((splat(-1.9515295891e-4f) * t2 + splat(8.3321608736e-3f)) * t2 + splat(-1.6666654611e-1f));
    const f32x8 c = splat(1.0f) - splat(0.5f) * t2 + t2 * t2 * ((splat(2.443315711809948e-5f) * t2 + splat(-1.388731625493765e-3f)) * t2 + splat(4.166664568298827e-2f));
    // Rotate (c, s) by quadrant·π/2: (c, s), (−s, c), (−c, −s), (s, −c).
    const i32x8 swap = (quadrant & 1) != 0;
    const i32x8 negate_x = ((quadrant + 1) & 2) != 0;  // quadrants 1 and 2
    const i32x8 negate_y = (quadrant & 2) != 0;        // quadrants 2 and 3
    f32x8 x = swap ? s : c;
    f32x8 y = swap ? c : s;
    x = (negate_x ? -x : x) * radius;
    y = (negate_y ? -y : y) * radius;
    const int64_t lanes = std::min<int64_t>(kLanes, count - i);
    for (int l = 0; l < lanes; ++l) {
      out[2 * (i + l)] = x[l];
      out[2 * (i + l) + 1] = y[l];
    }
  }
}

uint64_t seed_from_default_generator() {
  auto gen = at::detail::getDefaultCPUGenerator();
  auto* impl = at::check_generator<at::CPUGeneratorImpl>(gen);
  std::lock_guard<std::mutex> lock(gen.mutex());
  return impl->random64();
}

}  // namespace

extern "C" {

int vt_monte_carlo_noise(int64_t sets, int64_t samples, int64_t batch, int64_t dim, vt_tensor* noise, vt_tensor* mean_squared_norm) {
  VT_TRY
  if (noise == nullptr || mean_squared_norm == nullptr) throw std::invalid_argument("monte_carlo_noise: output pointer is null");
  if (sets < 1 || samples < 1 || batch < 1 || dim < 1)
    throw std::invalid_argument("monte_carlo_noise: sets, samples, batch and dimension must all be at least 1");
  const int64_t total = sets * samples * batch * dim;
  const uint64_t seed = seed_from_default_generator();
  // One spare float so that an odd count can take a whole last pair.
  auto buffer = at::empty({total + 1}, at::kFloat);
  float* data = buffer.data_ptr<float>();
  const int64_t pairs = (total + 1) / 2;
  constexpr int64_t kChunk = 4096;  // pairs per work item
  at::parallel_for(0, (pairs + kChunk - 1) / kChunk, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const int64_t first = c * kChunk;
      fill_pairs(seed, first, std::min(kChunk, pairs - first), data + 2 * first);
    }
  });
  auto out = buffer.narrow(0, 0, total).view({sets, samples, batch, dim});
  // (1/M) Σ_m Σ_j ε²  for every set and batch row: the noise's half of log q in a Monte-Carlo KL.
  auto norms = at::empty({sets, batch}, at::kFloat);
  float* np = norms.data_ptr<float>();
  at::parallel_for(0, sets, 1, [&](int64_t begin, int64_t end) {
    std::vector<double> acc(batch);
    for (int64_t s = begin; s < end; ++s) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t m = 0; m < samples; ++m) {
        const float* row = data + ((s * samples + m) * batch) * dim;
        for (int64_t b = 0; b < batch; ++b) {
          double sq = 0.0;
          for (int64_t j = 0; j < dim; ++j) sq += static_cast<double>(row[b * dim + j]) * row[b * dim + j];
          acc[b] += sq;
        }
      }
      for (int64_t b = 0; b < batch; ++b) np[s * batch + b] = static_cast<float>(acc[b] / samples);
    }
  });
  *noise = vt::wrap(out);
  *mean_squared_norm = vt::wrap(norms);
  return 0;
  VT_CATCH(-1)
}

}  // extern "C"
