// Fused CPU kernels for log Σ_k w_k N(z_n; μ_k, diag e^{lv_k}) over all (sample, component) pairs and
// its gradients, without materializing the [N, K] matrix. Plain float pointers; the autograd glue
// lives in mixture.cpp.
#pragma once

#include <cstdint>
#include <vector>

namespace vt::mixture {

// The mixture in the layout the kernels read: components padded to a multiple of the vector width,
// one row of KP values per latent coordinate (structure of arrays), so the inner loops run over
// components with unit stride. Padding lanes carry a very negative bias and zero precision, so they
// contribute nothing.
struct Components {
  int64_t k = 0;   // real components
  int64_t kp = 0;  // padded count (multiple of the vector width)
  int64_t d = 0;   // latent dimension
  std::vector<float> mean;       // [d][kp]
  std::vector<float> half_prec;  // [d][kp]  ½·e^{−lv}
  std::vector<float> bias;       // [kp]     log w − ½ Σ_j lv_j
  bool finite = true;            // false when any parameter is NaN (every output is then NaN)
};

// Builds the padded layout from row-major means [K, d], log-variances [K, d] and log-weights [K].
Components prepare(const float* mean, const float* logvar, const float* logweight, int64_t k, int64_t d);

// lse[n] = log Σ_k exp(a_nk), a_nk = bias_k − Σ_j half_prec_kj (z_nj − μ_kj)² for rows [begin, end).
// When usage_sum is not null, adds r_nk = exp(a_nk − lse_n) into usage_sum[0..kp).
void forward(const Components& c, const float* z, int64_t begin, int64_t end, float* lse, float* usage_sum);

// Gradients for rows [begin, end) given g_lse[n] (may be null: zero) and g_usage[k] (may be null),
// the cotangent of the SUM of responsibilities over rows. With r_nk = exp(a_nk − lse_n) the cotangent of
// a_nk is c_nk = r_nk (g_n + g_usage_k − Σ_k' g_usage_k' r_nk'). Writes grad_z rows (may be null) and
// ADDS into the padded accumulators grad_mean, grad_logvar ([d][kp]) and grad_bias ([kp]); the three
// accumulators are either all present or all null (then grad_z must be present).
void backward(const Components& c, const float* z, const float* lse, int64_t begin, int64_t end,
              const float* g_lse, const float* g_usage, float* grad_z,
              float* grad_mean, float* grad_logvar, float* grad_bias);

// The Monte-Carlo samples z_mb = μ_b + σ_b ⊙ ε_mb of diagonal Gaussian posteriors b.
struct MonteCarloRows {
  const float* post_mean = nullptr;   // [B][d]
  const float* post_std = nullptr;    // [B][d]
  const float* noise = nullptr;       // ε_mb at noise[m * sample_stride + b * row_stride]
  int64_t samples = 0;                // M
  int64_t sample_stride = 0;
  int64_t row_stride = 0;             // 0 when every posterior shares the noise
};

// Per-posterior gradients kept by monte_carlo_pass, each already divided by M.
struct MonteCarloGrads {
  float* post = nullptr;   // [B][2d]: ∂ mean_lse_b / ∂μ_bj, then ∂ mean_lse_b / ∂lv_bj; null: not needed
  float* prior = nullptr;  // [B][(2d+1)·kp]: ∂/∂μ_kj and ∂/∂lv_kj ([d][kp] each), then ∂/∂bias_k; null: not needed
};

// mean_lse[b] = (1/M) Σ_m lse(z_mb) for the posteriors [begin, end), and with it the gradients of
// mean_lse[b] alone. Every sample of b reaches a loss only through mean_lse[b], so the backward pass is
// these gradients times the cotangent of mean_lse[b]: one pass over the B·M·K terms instead of a
// forward pass and a backward pass that recomputes them.
void monte_carlo_pass(const Components& c, const MonteCarloRows& rows, int64_t begin, int64_t end,
                      float* mean_lse, const MonteCarloGrads& grads);

}  // namespace vt::mixture
