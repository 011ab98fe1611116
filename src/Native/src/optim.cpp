// Fused optimizer steps: one native call updates every parameter (same math as PyTorch's
// single-tensor SGD/Adam/AdamW), plus gradient-norm clipping and a finiteness check.
#include <c10/core/GradMode.h>
#include <cmath>

#include "internal.h"

using vt::T;

extern "C" {

int vt_sgd_step(const vt_tensor* params, vt_tensor* bufs, int n, double lr, double momentum, double dampening,
                double wd, int nesterov, int first_step) {
  VT_TRY
  c10::NoGradGuard no_grad;
  for (int i = 0; i < n; ++i) {
    auto& p = T(params[i]);
    auto g = p.grad();
    if (!g.defined()) continue;
    if (wd != 0) g = g.add(p, wd);
    if (momentum != 0) {
      auto& b = T(bufs[i]);
      if (first_step) b.copy_(g);
      else b.mul_(momentum).add_(g, 1 - dampening);
      g = nesterov ? g.add(b, momentum) : b;
    }
    p.add_(g, -lr);
  }
  return 0;
  VT_CATCH(-1)
}

int vt_adam_step(const vt_tensor* params, const vt_tensor* exp_avg, const vt_tensor* exp_avg_sq, int n, double lr,
                 double beta1, double beta2, double eps, double wd, int decoupled, int64_t step) {
  VT_TRY
  if (step < 1) throw std::invalid_argument("Adam step count must start at 1");
  c10::NoGradGuard no_grad;
  const double bc1 = 1 - std::pow(beta1, static_cast<double>(step));
  const double bc2 = 1 - std::pow(beta2, static_cast<double>(step));
  const double step_size = lr / bc1;
  const double bc2_sqrt = std::sqrt(bc2);
  for (int i = 0; i < n; ++i) {
    auto& p = T(params[i]);
    auto g = p.grad();
    if (!g.defined()) continue;
    if (wd != 0) {
      if (decoupled) p.mul_(1 - lr * wd);
      else g = g.add(p, wd);
    }
    auto& m = T(exp_avg[i]);
    auto& v = T(exp_avg_sq[i]);
    m.lerp_(g, 1 - beta1);
    v.mul_(beta2).addcmul_(g, g.conj(), 1 - beta2);
    auto denom = (v.sqrt() / bc2_sqrt).add_(eps);
    p.addcdiv_(m, denom, -step_size);
  }
  return 0;
  VT_CATCH(-1)
}

int vt_clip_grad_norm(const vt_tensor* params, int n, double max_norm, double norm_type, double* total_norm) {
  VT_TRY
  c10::NoGradGuard no_grad;
  std::vector<at::Tensor> norms;
  for (int i = 0; i < n; ++i) {
    auto g = T(params[i]).grad();
    if (g.defined()) norms.push_back(std::isinf(norm_type) ? g.abs().max() : at::norm(g, norm_type));
  }
  if (norms.empty()) { *total_norm = 0; return 0; }
  auto stacked = at::stack(norms);
  auto total = std::isinf(norm_type) ? stacked.max() : at::norm(stacked, norm_type);
  *total_norm = total.item<double>();
  double coef = max_norm / (*total_norm + 1e-6);
  if (coef < 1)
    for (int i = 0; i < n; ++i) {
      auto g = T(params[i]).grad();
      if (g.defined()) g.mul_(coef);
    }
  return 0;
  VT_CATCH(-1)
}

int vt_grads_finite(const vt_tensor* params, int n, int* finite) {
  VT_TRY
  c10::NoGradGuard no_grad;
  *finite = 1;
  for (int i = 0; i < n; ++i) {
    auto g = T(params[i]).grad();
    if (g.defined() && !at::isfinite(g).all().item<bool>()) { *finite = 0; break; }
  }
  return 0;
  VT_CATCH(-1)
}

}  // extern "C"
