// Neural-network functions: convolutions, pooling, resampling, normalization, losses.
#include "internal.h"

using vt::T;

namespace {
at::Tensor upsample_nearest(const at::Tensor& x, int64_t oh, int64_t ow) {
  std::vector<int64_t> size{oh, ow};
  return at::upsample_nearest2d(x, size, c10::nullopt, c10::nullopt);
}
at::Tensor upsample_bilinear(const at::Tensor& x, int64_t oh, int64_t ow, bool align) {
  std::vector<int64_t> size{oh, ow};
  return at::upsample_bilinear2d(x, size, align, c10::nullopt, c10::nullopt);
}
}  // namespace

extern "C" {

vt_tensor vt_conv2d(vt_tensor x, vt_tensor w, vt_tensor b, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                    int64_t dh, int64_t dw, int64_t groups) {
  VT_TENSOR(at::conv2d(T(x), T(w), vt::opt(b), {sh, sw}, {ph, pw}, {dh, dw}, groups))
}
vt_tensor vt_conv_transpose2d(vt_tensor x, vt_tensor w, vt_tensor b, int64_t sh, int64_t sw, int64_t ph,
                              int64_t pw, int64_t oph, int64_t opw, int64_t dh, int64_t dw, int64_t groups) {
  VT_TENSOR(at::conv_transpose2d(T(x), T(w), vt::opt(b), {sh, sw}, {ph, pw}, {oph, opw}, groups, {dh, dw}))
}
vt_tensor vt_avg_pool2d(vt_tensor x, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw) {
  VT_TENSOR(at::avg_pool2d(T(x), {kh, kw}, {sh, sw}, {ph, pw}))
}
vt_tensor vt_max_pool2d(vt_tensor x, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw) {
  VT_TENSOR(at::max_pool2d(T(x), {kh, kw}, {sh, sw}, {ph, pw}))
}
vt_tensor vt_adaptive_avg_pool2d(vt_tensor x, int64_t oh, int64_t ow) { VT_TENSOR(at::adaptive_avg_pool2d(T(x), {oh, ow})) }
vt_tensor vt_upsample_nearest2d(vt_tensor x, int64_t oh, int64_t ow) { VT_TENSOR(upsample_nearest(T(x), oh, ow)) }
vt_tensor vt_upsample_bilinear2d(vt_tensor x, int64_t oh, int64_t ow, int align) {
  VT_TENSOR(upsample_bilinear(T(x), oh, ow, align != 0))
}
vt_tensor vt_pad(vt_tensor x, const int64_t* pads, int n, int mode, double value) {
  VT_TRY
  auto p = vt::ints(pads, n);
  switch (mode) {
    case 0: return vt::wrap(at::constant_pad_nd(T(x), p, value));
    case 1: return vt::wrap(at::reflection_pad2d(T(x), p));
    case 2: return vt::wrap(at::replication_pad2d(T(x), p));
    default: throw std::invalid_argument("unknown padding mode " + std::to_string(mode));
  }
  VT_CATCH(nullptr)
}
vt_tensor vt_batch_norm(vt_tensor x, vt_tensor w, vt_tensor b, vt_tensor rm, vt_tensor rv, int training,
                        double momentum, double eps) {
  VT_TENSOR(at::batch_norm(T(x), vt::opt(w), vt::opt(b), vt::opt(rm), vt::opt(rv), training != 0, momentum, eps,
                           at::globalContext().userEnabledCuDNN()))
}
vt_tensor vt_layer_norm(vt_tensor x, const int64_t* s, int n, vt_tensor w, vt_tensor b, double eps) {
  VT_TENSOR(at::layer_norm(T(x), vt::ints(s, n), vt::opt(w), vt::opt(b), eps))
}
vt_tensor vt_group_norm(vt_tensor x, int64_t g, vt_tensor w, vt_tensor b, double eps) {
  VT_TENSOR(at::group_norm(T(x), g, vt::opt(w), vt::opt(b), eps))
}
vt_tensor vt_instance_norm(vt_tensor x, vt_tensor w, vt_tensor b, vt_tensor rm, vt_tensor rv, int use_input_stats,
                           double momentum, double eps) {
  VT_TENSOR(at::instance_norm(T(x), vt::opt(w), vt::opt(b), vt::opt(rm), vt::opt(rv), use_input_stats != 0, momentum,
                              eps, at::globalContext().userEnabledCuDNN()))
}
vt_tensor vt_mse_loss(vt_tensor x, vt_tensor y, int r) { VT_TENSOR(at::mse_loss(T(x), T(y), vt::reduction_code(r))) }
vt_tensor vt_l1_loss(vt_tensor x, vt_tensor y, int r) { VT_TENSOR(at::l1_loss(T(x), T(y), vt::reduction_code(r))) }
vt_tensor vt_bce_with_logits(vt_tensor x, vt_tensor y, vt_tensor w, vt_tensor pw, int r) {
  VT_TENSOR(at::binary_cross_entropy_with_logits(T(x), T(y), vt::opt(w), vt::opt(pw), vt::reduction_code(r)))
}
vt_tensor vt_cross_entropy(vt_tensor x, vt_tensor t, int r) {
  VT_TENSOR(at::cross_entropy_loss(T(x), T(t), {}, vt::reduction_code(r), -100, 0.0))
}
vt_tensor vt_nll_loss(vt_tensor x, vt_tensor t, int r) { VT_TENSOR(at::nll_loss(T(x), T(t), {}, vt::reduction_code(r), -100)) }

}  // extern "C"
