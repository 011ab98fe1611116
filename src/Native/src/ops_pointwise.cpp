// Element-wise ops: unary and binary op tables (out-of-place and in-place) and parametric activations.
#include <cmath>

#include "internal.h"

using vt::T;

namespace {

at::Tensor unary(int op, const at::Tensor& a) {
  switch (op) {
    case VT_NEG: return at::neg(a);
    case VT_ABS: return at::abs(a);
    case VT_EXP: return at::exp(a);
    case VT_LOG: return at::log(a);
    case VT_LOG1P: return at::log1p(a);
    case VT_EXPM1: return at::expm1(a);
    case VT_SQRT: return at::sqrt(a);
    case VT_RSQRT: return at::rsqrt(a);
    case VT_SQUARE: return at::square(a);
    case VT_SIGMOID: return at::sigmoid(a);
    case VT_TANH: return at::tanh(a);
    case VT_RELU: return at::relu(a);
    case VT_GELU: return at::gelu(a);
    case VT_SIGN: return at::sign(a);
    case VT_FLOOR: return at::floor(a);
    case VT_CEIL: return at::ceil(a);
    case VT_ROUND: return at::round(a);
    case VT_RECIPROCAL: return at::reciprocal(a);
    case VT_SIN: return at::sin(a);
    case VT_COS: return at::cos(a);
    case VT_ERF: return at::erf(a);
    case VT_LOGICAL_NOT: return at::logical_not(a);
    case VT_ISNAN: return at::isnan(a);
    case VT_ISINF: return at::isinf(a);
    case VT_ISFINITE: return at::isfinite(a);
    case VT_LOG_SIGMOID: return at::log_sigmoid(a);
    case VT_TRUNC: return at::trunc(a);
    case VT_LGAMMA: return at::lgamma(a);
    case VT_SILU: return at::silu(a);
    default: throw std::invalid_argument("unknown unary op code " + std::to_string(op));
  }
}

void unary_(int op, at::Tensor& a) {
  switch (op) {
    case VT_NEG: a.neg_(); return;
    case VT_ABS: a.abs_(); return;
    case VT_EXP: a.exp_(); return;
    case VT_LOG: a.log_(); return;
    case VT_SQRT: a.sqrt_(); return;
    case VT_RSQRT: a.rsqrt_(); return;
    case VT_SQUARE: a.square_(); return;
    case VT_SIGMOID: a.sigmoid_(); return;
    case VT_TANH: a.tanh_(); return;
    case VT_RELU: a.relu_(); return;
    case VT_RECIPROCAL: a.reciprocal_(); return;
    case VT_FLOOR: a.floor_(); return;
    case VT_ROUND: a.round_(); return;
    default: a.copy_(unary(op, a)); return;
  }
}

at::Tensor binary(int op, const at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case VT_ADD: return at::add(a, b);
    case VT_SUB: return at::sub(a, b);
    case VT_MUL: return at::mul(a, b);
    case VT_DIV: return at::div(a, b);
    case VT_POW: return at::pow(a, b);
    case VT_MAXIMUM: return at::maximum(a, b);
    case VT_MINIMUM: return at::minimum(a, b);
    case VT_EQ: return at::eq(a, b);
    case VT_NE: return at::ne(a, b);
    case VT_LT: return at::lt(a, b);
    case VT_LE: return at::le(a, b);
    case VT_GT: return at::gt(a, b);
    case VT_GE: return at::ge(a, b);
    case VT_LOGICAL_AND: return at::logical_and(a, b);
    case VT_LOGICAL_OR: return at::logical_or(a, b);
    case VT_REMAINDER: return at::remainder(a, b);
    case VT_ATAN2: return at::atan2(a, b);
    case VT_RSUB: return at::sub(b, a);
    case VT_FLOOR_DIVIDE: return at::div(a, b, "floor");
    default: throw std::invalid_argument("unknown binary op code " + std::to_string(op));
  }
}

void binary_(int op, at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case VT_ADD: a.add_(b); return;
    case VT_SUB: a.sub_(b); return;
    case VT_MUL: a.mul_(b); return;
    case VT_DIV: a.div_(b); return;
    case VT_POW: a.pow_(b); return;
    default: a.copy_(binary(op, a, b)); return;
  }
}

at::Tensor binary_scalar(int op, const at::Tensor& a, double s) {
  const at::Scalar v(s);
  switch (op) {
    case VT_ADD: return at::add(a, v);
    case VT_SUB: return at::sub(a, v);
    case VT_MUL: return at::mul(a, v);
    case VT_DIV: return at::div(a, v);
    case VT_POW: return at::pow(a, v);
    case VT_MAXIMUM: return at::clamp_min(a, v);
    case VT_MINIMUM: return at::clamp_max(a, v);
    case VT_EQ: return at::eq(a, v);
    case VT_NE: return at::ne(a, v);
    case VT_LT: return at::lt(a, v);
    case VT_LE: return at::le(a, v);
    case VT_GT: return at::gt(a, v);
    case VT_GE: return at::ge(a, v);
    case VT_REMAINDER: return at::remainder(a, v);
    case VT_RSUB: return at::rsub(a, v);
    case VT_FLOOR_DIVIDE: return at::div(a, v, "floor");
    default: throw std::invalid_argument("binary op code " + std::to_string(op) + " has no scalar form");
  }
}

// In place, the result keeps the tensor's dtype, so an integral value is passed to an integer or
// bool tensor as an integer scalar: `counts += 1` works (a double scalar makes libtorch refuse to
// cast the float result back). Out-of-place ops keep double scalars, which promote an integer
// tensor to the default float type exactly like a Python float does.
at::Scalar in_place_scalar(const at::Tensor& a, double s) {
  if (!at::isFloatingType(a.scalar_type()) && !at::isComplexType(a.scalar_type()) && std::trunc(s) == s &&
      std::fabs(s) < 9.0e18)
    return at::Scalar(static_cast<int64_t>(s));
  return at::Scalar(s);
}

void binary_scalar_(int op, at::Tensor& a, double s) {
  const at::Scalar v = in_place_scalar(a, s);
  switch (op) {
    case VT_ADD: a.add_(v); return;
    case VT_SUB: a.sub_(v); return;
    case VT_MUL: a.mul_(v); return;
    case VT_DIV: a.div_(v); return;
    case VT_POW: a.pow_(v); return;
    case VT_MAXIMUM: a.clamp_min_(v); return;
    case VT_MINIMUM: a.clamp_max_(v); return;
    default: a.copy_(binary_scalar(op, a, s)); return;
  }
}

c10::optional<at::Scalar> bound(double v) {
  if (std::isnan(v)) return c10::nullopt;
  return at::Scalar(v);
}

}  // namespace

extern "C" {

vt_tensor vt_unary(int op, vt_tensor a) { VT_TENSOR(unary(op, T(a))) }
int vt_unary_(int op, vt_tensor a) { VT_STATUS(unary_(op, T(a))) }
vt_tensor vt_binary(int op, vt_tensor a, vt_tensor b) { VT_TENSOR(binary(op, T(a), T(b))) }
int vt_binary_(int op, vt_tensor a, vt_tensor b) { VT_STATUS(binary_(op, T(a), T(b))) }
vt_tensor vt_binary_scalar(int op, vt_tensor a, double s) { VT_TENSOR(binary_scalar(op, T(a), s)) }
int vt_binary_scalar_(int op, vt_tensor a, double s) { VT_STATUS(binary_scalar_(op, T(a), s)) }
vt_tensor vt_add_scaled(vt_tensor a, vt_tensor b, double alpha) { VT_TENSOR(at::add(T(a), T(b), alpha)) }
int vt_add_scaled_(vt_tensor a, vt_tensor b, double alpha) { VT_STATUS(T(a).add_(T(b), alpha)) }
vt_tensor vt_scalar_pow(double base, vt_tensor e) { VT_TENSOR(at::pow(at::Scalar(base), T(e))) }
vt_tensor vt_where(vt_tensor c, vt_tensor a, vt_tensor b) { VT_TENSOR(at::where(T(c), T(a), T(b))) }
vt_tensor vt_clamp(vt_tensor a, double lo, double hi) { VT_TENSOR(at::clamp(T(a), bound(lo), bound(hi))) }
int vt_clamp_(vt_tensor a, double lo, double hi) { VT_STATUS(T(a).clamp_(bound(lo), bound(hi))) }
vt_tensor vt_leaky_relu(vt_tensor a, double slope) { VT_TENSOR(at::leaky_relu(T(a), slope)) }
vt_tensor vt_elu(vt_tensor a, double alpha) { VT_TENSOR(at::elu(T(a), alpha)) }
vt_tensor vt_softplus(vt_tensor a, double beta, double thr) { VT_TENSOR(at::softplus(T(a), beta, thr)) }
vt_tensor vt_hardtanh(vt_tensor a, double lo, double hi) { VT_TENSOR(at::hardtanh(T(a), lo, hi)) }
vt_tensor vt_softmax(vt_tensor a, int64_t dim) { VT_TENSOR(at::softmax(T(a), dim)) }
vt_tensor vt_log_softmax(vt_tensor a, int64_t dim) { VT_TENSOR(at::log_softmax(T(a), dim)) }
vt_tensor vt_dropout(vt_tensor a, double p, int train) {
  VT_TRY
  if (p < 0 || p > 1) throw std::invalid_argument("dropout probability has to be between 0 and 1, but got " + std::to_string(p));
  return vt::wrap(at::dropout(T(a), p, train != 0));
  VT_CATCH(nullptr)
}
vt_tensor vt_cumsum(vt_tensor a, int64_t dim) { VT_TENSOR(at::cumsum(T(a), dim)) }
vt_tensor vt_lerp(vt_tensor a, vt_tensor b, double w) { VT_TENSOR(at::lerp(T(a), T(b), w)) }
vt_tensor vt_masked_fill(vt_tensor a, vt_tensor m, double v) { VT_TENSOR(at::masked_fill(T(a), T(m), v)) }
vt_tensor vt_nan_to_num(vt_tensor a, double nan, double pinf, double ninf) {
  VT_TENSOR(at::nan_to_num(T(a), nan, pinf, ninf))
}

}  // extern "C"
