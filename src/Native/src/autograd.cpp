// Autograd: backward, gradient access, zeroing, and gradients of outputs w.r.t. inputs.
#include <torch/csrc/autograd/autograd.h>

#include "internal.h"

using vt::T;

extern "C" {

int vt_backward(vt_tensor t, vt_tensor g, int retain, int create) {
  VT_STATUS(T(t).backward(vt::opt(g), retain != 0 ? c10::optional<bool>(true) : c10::optional<bool>(create != 0),
                          create != 0))
}

int vt_grad(vt_tensor t, vt_tensor* out) {
  VT_TRY
  *out = vt::wrap_optional(T(t).grad());
  return 0;
  VT_CATCH(-1)
}

int vt_set_grad(vt_tensor t, vt_tensor g) {
  VT_TRY
  T(t).mutable_grad() = vt::opt(g);
  return 0;
  VT_CATCH(-1)
}

int vt_zero_grad(const vt_tensor* params, int n, int set_to_none) {
  VT_TRY
  for (int i = 0; i < n; ++i) {
    auto& g = T(params[i]).mutable_grad();
    if (!g.defined()) continue;
    if (set_to_none) {
      g.reset();
    } else {
      if (g.grad_fn()) g = g.detach();
      else g.requires_grad_(false);
      g.zero_();
    }
  }
  return 0;
  VT_CATCH(-1)
}

int vt_autograd_grad(const vt_tensor* outputs, int n_out, const vt_tensor* inputs, int n_in,
                     const vt_tensor* grad_outputs, int retain, int create, int allow_unused, vt_tensor* results) {
  VT_TRY
  auto outs = vt::tensors(outputs, n_out);
  auto ins = vt::tensors(inputs, n_in);
  std::vector<at::Tensor> gouts;
  if (grad_outputs != nullptr)
    for (int i = 0; i < n_out; ++i) gouts.push_back(vt::opt(grad_outputs[i]));
  auto r = torch::autograd::grad(outs, ins, gouts,
                                 retain != 0 ? c10::optional<bool>(true) : c10::optional<bool>(create != 0),
                                 create != 0, allow_unused != 0);
  for (int i = 0; i < n_in; ++i) results[i] = vt::wrap_optional(r[i]);
  return 0;
  VT_CATCH(-1)
}

}  // extern "C"
