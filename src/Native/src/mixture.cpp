// log Σ_k w_k N(z_n; μ_k, diag e^{lv_k}) as one differentiable op (custom autograd function over the
// fused kernels of mixture_kernel.cpp), with the mean responsibility of every component as an optional
// second output. The −(d/2)·log 2π constant is left out. CPU float32 only; callers fall back to the
// generic tensor formulation elsewhere.
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "internal.h"
#include "mixture_kernel.h"

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;
namespace mix = vt::mixture;

// Rows per work item. Partial sums are kept per block and added in block order, so results do not
// depend on the number of threads.
constexpr int64_t kBlockRows = 1024;

void check_inputs(const at::Tensor& z, const at::Tensor& mean, const at::Tensor& logvar, const at::Tensor& logweight) {
  for (const at::Tensor* t : {&z, &mean, &logvar, &logweight}) {
    if (!t->defined()) throw std::invalid_argument("mixture_logsumexp: an input tensor is undefined");
    if (!t->device().is_cpu()) throw std::invalid_argument("mixture_logsumexp: the fused kernel runs on the CPU only");
    if (t->scalar_type() != at::kFloat) throw std::invalid_argument("mixture_logsumexp: the fused kernel takes float32 tensors only");
  }
  if (z.dim() != 2) throw std::invalid_argument("mixture_logsumexp: latents must be [N, d]");
  if (mean.dim() != 2 || logvar.sizes() != mean.sizes())
    throw std::invalid_argument("mixture_logsumexp: means and log-variances must both be [K, d]");
  if (mean.size(1) != z.size(1)) throw std::invalid_argument("mixture_logsumexp: latents and components differ in dimension");
  if (logweight.dim() != 1 || logweight.size(0) != mean.size(0))
    throw std::invalid_argument("mixture_logsumexp: log-weights must be [K]");
  if (mean.size(0) < 1) throw std::invalid_argument("mixture_logsumexp: the mixture has no components");
}

mix::Components prepare(const at::Tensor& mean, const at::Tensor& logvar, const at::Tensor& logweight) {
  return mix::prepare(mean.data_ptr<float>(), logvar.data_ptr<float>(), logweight.data_ptr<float>(), mean.size(0), mean.size(1));
}

int64_t block_count(int64_t n) { return (n + kBlockRows - 1) / kBlockRows; }

// Runs body(block) for every block on libtorch's threads, handing blocks out dynamically: inside a
// training step another pool (OpenBLAS's workers) may hold part of a core, and a static split would
// leave the fast thread waiting for the slow one. Each block writes only its own outputs, so the
// results do not depend on which thread ran it.
template <typename F>
void for_each_block(int64_t blocks, const F& body) {
  const int64_t workers = std::min<int64_t>(blocks, at::get_num_threads());
  if (workers <= 1) {
    for (int64_t b = 0; b < blocks; ++b) body(b);
    return;
  }
  std::atomic<int64_t> next{0};
  at::parallel_for(0, workers, 1, [&](int64_t, int64_t) {
    for (int64_t b = next.fetch_add(1); b < blocks; b = next.fetch_add(1)) body(b);
  });
}

// Sums per-block partials [blocks][len] in block order, in double.
std::vector<double> sum_blocks(const std::vector<float>& partial, int64_t blocks, int64_t len) {
  std::vector<double> total(len, 0.0);
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t i = 0; i < len; ++i) total[i] += partial[b * len + i];
  return total;
}

// Row log-densities [N] of latents z [N, d] and, with usage, the mean responsibilities [K].
std::pair<at::Tensor, at::Tensor> lse_forward(const at::Tensor& z, const mix::Components& c, bool with_usage) {
  const int64_t n = z.size(0), blocks = block_count(n);
  auto lse = at::empty({n}, z.options());
  std::vector<float> partial(with_usage ? blocks * c.kp : 0, 0.0f);
  const float* zp = z.data_ptr<float>();
  float* lp = lse.data_ptr<float>();
  for_each_block(blocks, [&](int64_t b) {
    mix::forward(c, zp, b * kBlockRows, std::min(n, (b + 1) * kBlockRows), lp, with_usage ? &partial[b * c.kp] : nullptr);
  });
  if (!with_usage) return {lse, at::Tensor()};
  auto usage = at::empty({c.k}, z.options());
  const auto total = sum_blocks(partial, blocks, c.kp);
  float* up = usage.data_ptr<float>();
  for (int64_t i = 0; i < c.k; ++i) up[i] = n > 0 ? static_cast<float>(total[i] / n) : std::nanf("");
  return {lse, usage};
}

struct LseGrads {
  at::Tensor z, mean, logvar, logweight;  // undefined where not requested
};

// Gradients of Σ_n g_lse[n]·lse[n] + Σ_k g_usage[k]·usage[k] (usage = mean responsibilities over the N rows).
LseGrads lse_backward(const at::Tensor& z, const at::Tensor& mean, const at::Tensor& logvar, const at::Tensor& logweight,
                      const mix::Components& c, const at::Tensor& lse, const at::Tensor& g_lse, const at::Tensor& g_usage_t,
                      bool need_z, bool need_params) {
  const int64_t n = z.size(0), d = c.d, kp = c.kp, blocks = block_count(n);
  // The usage output is a mean over rows: its cotangent reaches each row divided by N.
  std::vector<float> g_usage(g_usage_t.defined() ? kp : 0, 0.0f);
  if (g_usage_t.defined()) {
    const float* gu = g_usage_t.data_ptr<float>();
    for (int64_t i = 0; i < c.k; ++i) g_usage[i] = gu[i] / static_cast<float>(n);
  }
  LseGrads out;
  if (need_z) out.z = at::empty_like(z);
  // Per block: grad_mean [d][kp], grad_logvar [d][kp], grad_bias [kp].
  const int64_t stride = need_params ? (2 * d + 1) * kp : 0;
  std::vector<float> partial(blocks * stride, 0.0f);
  const float* zp = z.data_ptr<float>();
  const float* lp = lse.data_ptr<float>();
  const float* gp = g_lse.defined() ? g_lse.data_ptr<float>() : nullptr;
  const float* gup = g_usage.empty() ? nullptr : g_usage.data();
  float* gzp = need_z ? out.z.data_ptr<float>() : nullptr;
  for_each_block(blocks, [&](int64_t b) {
    float* acc = need_params ? &partial[b * stride] : nullptr;
    mix::backward(c, zp, lp, b * kBlockRows, std::min(n, (b + 1) * kBlockRows), gp, gup, gzp,
                  acc, acc ? acc + d * kp : nullptr, acc ? acc + 2 * d * kp : nullptr);
  });
  if (!need_params) return out;
  const auto total = sum_blocks(partial, blocks, stride);
  out.mean = at::empty_like(mean);
  out.logvar = at::empty_like(logvar);
  out.logweight = at::empty_like(logweight);
  float* gm = out.mean.data_ptr<float>();
  float* gl = out.logvar.data_ptr<float>();
  float* gw = out.logweight.data_ptr<float>();
  for (int64_t i = 0; i < c.k; ++i) {
    for (int64_t j = 0; j < d; ++j) {
      gm[i * d + j] = static_cast<float>(total[j * kp + i]);
      gl[i * d + j] = static_cast<float>(total[(d + j) * kp + i]);
    }
    gw[i] = static_cast<float>(total[2 * d * kp + i]);
  }
  return out;
}

// The backward passes below are plain arithmetic, not graphs: a second derivative would be silently zero.
void refuse_higher_order() {
  if (at::GradMode::is_enabled())
    throw std::runtime_error("mixture_logsumexp: higher-order gradients (create_graph) are not supported by the fused kernel");
}

at::Tensor usage_cotangent(const variable_list& grads, bool with_usage) {
  return with_usage && grads.size() > 1 && grads[1].defined() ? grads[1].contiguous() : at::Tensor();
}

struct MixtureLogSumExp : public torch::autograd::Function<MixtureLogSumExp> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& z_in, const at::Tensor& mean_in,
                               const at::Tensor& logvar_in, const at::Tensor& logweight_in, bool with_usage) {
    auto z = z_in.contiguous(), mean = mean_in.contiguous(), logvar = logvar_in.contiguous(), logweight = logweight_in.contiguous();
    auto [lse, usage] = lse_forward(z, prepare(mean, logvar, logweight), with_usage);
    ctx->set_materialize_grads(false);
    ctx->saved_data["with_usage"] = with_usage;
    ctx->save_for_backward({z, mean, logvar, logweight, lse});
    if (!with_usage) return {lse};
    return {lse, usage};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    refuse_higher_order();
    auto saved = ctx->get_saved_variables();
    const bool with_usage = ctx->saved_data["with_usage"].toBool();
    at::Tensor g_lse = grads[0].defined() ? grads[0].contiguous() : at::Tensor();
    at::Tensor g_usage = usage_cotangent(grads, with_usage);
    const bool need_z = ctx->needs_input_grad(0);
    const bool need_params = ctx->needs_input_grad(1) || ctx->needs_input_grad(2) || ctx->needs_input_grad(3);
    if ((!g_lse.defined() && !g_usage.defined()) || (!need_z && !need_params))
      return {at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    const auto c = prepare(saved[1], saved[2], saved[3]);
    auto g = lse_backward(saved[0], saved[1], saved[2], saved[3], c, saved[4], g_lse, g_usage, need_z, need_params);
    return {g.z, g.mean, g.logvar, g.logweight, at::Tensor()};
  }
};

// (1/M) Σ_m log p(μ_b + σ_b ⊙ ε_mb) for every posterior b: the mixture term of a Monte-Carlo KL, with the
// reparameterized samples formed and differentiated here instead of as a chain of tensor ops.
struct MixtureMonteCarlo : public torch::autograd::Function<MixtureMonteCarlo> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& post_mean, const at::Tensor& post_logvar,
                               const at::Tensor& noise_in, const at::Tensor& mean_in, const at::Tensor& logvar_in,
                               const at::Tensor& logweight_in, bool with_usage) {
    auto mean = mean_in.contiguous(), logvar = logvar_in.contiguous(), logweight = logweight_in.contiguous();
    const int64_t m = noise_in.size(0), b = post_mean.size(0), d = post_mean.size(1);
    auto noise = noise_in.expand({m, b, d});
    auto std = (post_logvar * 0.5).exp();
    auto z = (post_mean.unsqueeze(0) + std.unsqueeze(0) * noise).reshape({m * b, d}).contiguous();
    auto [lse, usage] = lse_forward(z, prepare(mean, logvar, logweight), with_usage);
    auto mean_lse = lse.view({m, b}).mean(0);
    ctx->set_materialize_grads(false);
    ctx->saved_data["with_usage"] = with_usage;
    ctx->save_for_backward({z, mean, logvar, logweight, lse, noise_in, std});
    if (!with_usage) return {mean_lse};
    return {mean_lse, usage};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    refuse_higher_order();
    auto saved = ctx->get_saved_variables();
    const auto& z = saved[0];
    const auto& lse = saved[4];
    const auto& noise = saved[5];
    const auto& std = saved[6];
    const bool with_usage = ctx->saved_data["with_usage"].toBool();
    const int64_t n = z.size(0), b = std.size(0), d = std.size(1), m = n / b;
    at::Tensor g_rows = grads[0].defined() ? (grads[0] / static_cast<double>(m)).expand({m, b}).reshape({n}).contiguous() : at::Tensor();
    at::Tensor g_usage = usage_cotangent(grads, with_usage);
    const bool need_post = ctx->needs_input_grad(0) || ctx->needs_input_grad(1);
    const bool need_params = ctx->needs_input_grad(3) || ctx->needs_input_grad(4) || ctx->needs_input_grad(5);
    variable_list out(7);
    if ((!g_rows.defined() && !g_usage.defined()) || (!need_post && !need_params)) return out;
    const auto c = prepare(saved[1], saved[2], saved[3]);
    auto g = lse_backward(z, saved[1], saved[2], saved[3], c, lse, g_rows, g_usage, need_post, need_params);
    if (need_post) {
      // z = μ + σ ε: ∂/∂μ sums the samples' gradients, ∂/∂lv = Σ_m g_z · ε · σ/2.
      auto gz = g.z.view({m, b, d});
      if (ctx->needs_input_grad(0)) out[0] = gz.sum(0);
      if (ctx->needs_input_grad(1)) out[1] = (gz * noise).sum(0) * std * 0.5;
    }
    out[3] = g.mean;
    out[4] = g.logvar;
    out[5] = g.logweight;
    return out;
  }
};

// The same quantity in a single pass when no usage output is asked for: the forward pass also keeps
// the gradients of every mean_lse[b] (see mix::monte_carlo_pass), and the backward pass only scales
// them by the incoming cotangents. need_post and need_prior say which gradients the graph will ask for.
struct MixtureMonteCarloOnePass : public torch::autograd::Function<MixtureMonteCarloOnePass> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& post_mean_in, const at::Tensor& post_logvar,
                               const at::Tensor& noise_in, const at::Tensor& mean_in, const at::Tensor& logvar_in,
                               const at::Tensor& logweight_in, bool need_post, bool need_prior) {
    auto mean = mean_in.contiguous(), logvar = logvar_in.contiguous(), logweight = logweight_in.contiguous();
    auto post_mean = post_mean_in.contiguous(), noise = noise_in.contiguous();
    auto std = (post_logvar * 0.5).exp().contiguous();
    const int64_t b = post_mean.size(0), d = post_mean.size(1), m = noise.size(0);
    const auto c = prepare(mean, logvar, logweight);
    auto mean_lse = at::empty({b}, post_mean.options());
    at::Tensor g_post = need_post ? at::empty({b, 2 * d}, post_mean.options()) : at::Tensor();
    at::Tensor g_prior = need_prior ? at::empty({b, (2 * d + 1) * c.kp}, post_mean.options()) : at::Tensor();
    mix::MonteCarloRows rows;
    rows.post_mean = post_mean.data_ptr<float>();
    rows.post_std = std.data_ptr<float>();
    rows.noise = noise.data_ptr<float>();
    rows.samples = m;
    rows.sample_stride = noise.size(1) * d;
    rows.row_stride = noise.size(1) == 1 ? 0 : d;
    mix::MonteCarloGrads g;
    g.post = need_post ? g_post.data_ptr<float>() : nullptr;
    g.prior = need_prior ? g_prior.data_ptr<float>() : nullptr;
    // Work items of about kBlockRows samples; each posterior is summed by one thread in a fixed order.
    const int64_t per_block = std::max<int64_t>(1, kBlockRows / m), blocks = (b + per_block - 1) / per_block;
    float* out = mean_lse.data_ptr<float>();
    for_each_block(blocks, [&](int64_t i) {
      mix::monte_carlo_pass(c, rows, i * per_block, std::min(b, (i + 1) * per_block), out, g);
    });
    ctx->set_materialize_grads(false);
    ctx->saved_data["k"] = c.k;
    ctx->saved_data["kp"] = c.kp;
    ctx->save_for_backward({g_post, g_prior});
    return {mean_lse};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    refuse_higher_order();
    variable_list out(8);
    if (!grads[0].defined()) return out;
    auto saved = ctx->get_saved_variables();
    const auto& g_post = saved[0];
    const auto& g_prior = saved[1];
    auto g = grads[0].contiguous();
    if (g_post.defined()) {
      const int64_t d = g_post.size(1) / 2;
      auto scaled = g_post * g.unsqueeze(1);
      if (ctx->needs_input_grad(0)) out[0] = scaled.narrow(1, 0, d);
      if (ctx->needs_input_grad(1)) out[1] = scaled.narrow(1, d, d);
    }
    if (g_prior.defined()) {
      // Σ_b g_b · grad_prior[b], summed in posterior order in double (no thread-dependent reduction).
      const int64_t b = g_prior.size(0), len = g_prior.size(1);
      const int64_t k = ctx->saved_data["k"].toInt(), kp = ctx->saved_data["kp"].toInt(), d = (len / kp - 1) / 2;
      std::vector<double> total(len, 0.0);
      const float* p = g_prior.data_ptr<float>();
      const float* gp = g.data_ptr<float>();
      for (int64_t i = 0; i < b; ++i)
        for (int64_t j = 0; j < len; ++j) total[j] += static_cast<double>(gp[i]) * p[i * len + j];
      auto gm = at::empty({k, d}, g_prior.options()), gl = at::empty({k, d}, g_prior.options()), gw = at::empty({k}, g_prior.options());
      float* gmp = gm.data_ptr<float>();
      float* glp = gl.data_ptr<float>();
      float* gwp = gw.data_ptr<float>();
      for (int64_t i = 0; i < k; ++i) {
        for (int64_t j = 0; j < d; ++j) {
          gmp[i * d + j] = static_cast<float>(total[j * kp + i]);
          glp[i * d + j] = static_cast<float>(total[(d + j) * kp + i]);
        }
        gwp[i] = static_cast<float>(total[2 * d * kp + i]);
      }
      if (ctx->needs_input_grad(3)) out[3] = gm;
      if (ctx->needs_input_grad(4)) out[4] = gl;
      if (ctx->needs_input_grad(5)) out[5] = gw;
    }
    return out;
  }
};

}  // namespace

extern "C" {

int vt_mixture_logsumexp(vt_tensor z, vt_tensor means, vt_tensor logvars, vt_tensor logweights, int with_usage,
                         vt_tensor* lse, vt_tensor* mean_usage) {
  VT_TRY
  if (lse == nullptr || (with_usage && mean_usage == nullptr)) throw std::invalid_argument("mixture_logsumexp: output pointer is null");
  check_inputs(vt::T(z), vt::T(means), vt::T(logvars), vt::T(logweights));
  auto out = MixtureLogSumExp::apply(vt::T(z), vt::T(means), vt::T(logvars), vt::T(logweights), with_usage != 0);
  *lse = vt::wrap(out[0]);
  if (with_usage) *mean_usage = vt::wrap(out[1]);
  return 0;
  VT_CATCH(-1)
}

int vt_mixture_monte_carlo(vt_tensor post_mean, vt_tensor post_logvar, vt_tensor noise, vt_tensor means, vt_tensor logvars,
                           vt_tensor logweights, int with_usage, vt_tensor* mean_lse, vt_tensor* mean_usage) {
  VT_TRY
  if (mean_lse == nullptr || (with_usage && mean_usage == nullptr)) throw std::invalid_argument("mixture_monte_carlo: output pointer is null");
  const auto& pm = vt::T(post_mean);
  const auto& pl = vt::T(post_logvar);
  const auto& eps = vt::T(noise);
  check_inputs(pm, vt::T(means), vt::T(logvars), vt::T(logweights));
  check_inputs(pl, vt::T(means), vt::T(logvars), vt::T(logweights));
  if (pl.sizes() != pm.sizes()) throw std::invalid_argument("mixture_monte_carlo: posterior means and log-variances must both be [B, d]");
  if (!eps.device().is_cpu() || eps.scalar_type() != at::kFloat) throw std::invalid_argument("mixture_monte_carlo: the fused kernel takes float32 CPU noise only");
  if (eps.dim() != 3 || eps.size(0) < 1 || (eps.size(1) != pm.size(0) && eps.size(1) != 1) || eps.size(2) != pm.size(1))
    throw std::invalid_argument("mixture_monte_carlo: noise must be [M, B, d] or [M, 1, d] with M >= 1");
  if (pm.size(0) < 1) throw std::invalid_argument("mixture_monte_carlo: no posteriors");
  const auto& mu = vt::T(means);
  const auto& lv = vt::T(logvars);
  const auto& lw = vt::T(logweights);
  if (!with_usage) {
    // Without the usage output every gradient comes out of the forward pass (see MixtureMonteCarloOnePass).
    const bool recording = at::GradMode::is_enabled();
    const bool need_post = recording && (pm.requires_grad() || pl.requires_grad());
    const bool need_prior = recording && (mu.requires_grad() || lv.requires_grad() || lw.requires_grad());
    *mean_lse = vt::wrap(MixtureMonteCarloOnePass::apply(pm, pl, eps, mu, lv, lw, need_post, need_prior)[0]);
    return 0;
  }
  auto out = MixtureMonteCarlo::apply(pm, pl, eps, mu, lv, lw, true);
  *mean_lse = vt::wrap(out[0]);
  if (with_usage) *mean_usage = vt::wrap(out[1]);
  return 0;
  VT_CATCH(-1)
}

}  // extern "C"
