// Tensor lifetime, metadata, factories, host copies, conversions.
#include <cstring>

#include "internal.h"

using vt::T;

namespace {
at::Tensor checked_shape_factory(const int64_t* shape, int ndim) {
  for (int i = 0; i < ndim; ++i)
    if (shape[i] < 0) throw std::invalid_argument("negative dimension " + std::to_string(shape[i]) + " in shape");
  return at::Tensor();
}
}  // namespace

extern "C" {

void vt_free(vt_tensor t) {
  if (t == nullptr) return;
  try {
    delete t;
  } catch (...) {
  }
  vt::live_handles.fetch_sub(1, std::memory_order_relaxed);
}

int64_t vt_dim(vt_tensor t) { VT_TRY return T(t).dim(); VT_CATCH(-1) }
int64_t vt_numel(vt_tensor t) { VT_TRY return T(t).numel(); VT_CATCH(-1) }

int vt_sizes(vt_tensor t, int64_t* out, int cap) {
  VT_TRY
  auto s = T(t).sizes();
  int n = static_cast<int>(s.size());
  for (int i = 0; i < n && i < cap; ++i) out[i] = s[i];
  return n;
  VT_CATCH(-1)
}

int vt_strides(vt_tensor t, int64_t* out, int cap) {
  VT_TRY
  auto s = T(t).strides();
  int n = static_cast<int>(s.size());
  for (int i = 0; i < n && i < cap; ++i) out[i] = s[i];
  return n;
  VT_CATCH(-1)
}

int vt_dtype(vt_tensor t) { VT_TRY return static_cast<int>(T(t).scalar_type()); VT_CATCH(-1) }
int vt_device_type(vt_tensor t) { VT_TRY return static_cast<int>(T(t).device().type()); VT_CATCH(-1) }
int vt_device_index(vt_tensor t) { VT_TRY return static_cast<int>(T(t).device().index()); VT_CATCH(-2) }
int vt_requires_grad(vt_tensor t) { VT_TRY return T(t).requires_grad() ? 1 : 0; VT_CATCH(-1) }
int vt_set_requires_grad(vt_tensor t, int r) { VT_STATUS(T(t).requires_grad_(r != 0)) }
int vt_is_contiguous(vt_tensor t) { VT_TRY return T(t).is_contiguous() ? 1 : 0; VT_CATCH(-1) }
int vt_is_leaf(vt_tensor t) { VT_TRY return T(t).is_leaf() ? 1 : 0; VT_CATCH(-1) }
int vt_defined(vt_tensor t) { VT_TRY return T(t).defined() ? 1 : 0; VT_CATCH(-1) }

#define VT_SHAPED(name, call)                                                                   \
  vt_tensor name(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index) {      \
    VT_TRY checked_shape_factory(shape, ndim);                                                  \
    return vt::wrap(call(vt::ints(shape, ndim), vt::options(dtype, dev_type, dev_index)));      \
    VT_CATCH(nullptr)                                                                           \
  }
VT_SHAPED(vt_empty, at::empty)
VT_SHAPED(vt_zeros, at::zeros)
VT_SHAPED(vt_ones, at::ones)
VT_SHAPED(vt_randn, at::randn)
VT_SHAPED(vt_rand, at::rand)
#undef VT_SHAPED

vt_tensor vt_full(const int64_t* shape, int ndim, double value, int dtype, int dev_type, int dev_index) {
  VT_TRY checked_shape_factory(shape, ndim);
  return vt::wrap(at::full(vt::ints(shape, ndim), value, vt::options(dtype, dev_type, dev_index)));
  VT_CATCH(nullptr)
}

vt_tensor vt_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index) {
  VT_TRY checked_shape_factory(shape, ndim);
  return vt::wrap(at::randint(low, high, vt::ints(shape, ndim), vt::options(dtype, dev_type, dev_index)));
  VT_CATCH(nullptr)
}

vt_tensor vt_randperm(int64_t n, int dtype, int dev_type, int dev_index) {
  VT_TENSOR(at::randperm(n, vt::options(dtype, dev_type, dev_index)))
}
vt_tensor vt_arange(double start, double end, double step, int dtype, int dev_type, int dev_index) {
  VT_TENSOR(at::arange(start, end, step, vt::options(dtype, dev_type, dev_index)))
}
vt_tensor vt_linspace(double start, double end, int64_t steps, int dtype, int dev_type, int dev_index) {
  VT_TENSOR(at::linspace(start, end, steps, vt::options(dtype, dev_type, dev_index)))
}
vt_tensor vt_eye(int64_t n, int64_t m, int dtype, int dev_type, int dev_index) {
  VT_TENSOR(at::eye(n, m, vt::options(dtype, dev_type, dev_index)))
}
vt_tensor vt_multinomial(vt_tensor probs, int64_t n, int replacement) {
  VT_TENSOR(at::multinomial(T(probs), n, replacement != 0))
}
vt_tensor vt_bernoulli(vt_tensor probs) { VT_TENSOR(at::bernoulli(T(probs))) }
vt_tensor vt_zeros_like(vt_tensor t) { VT_TENSOR(at::zeros_like(T(t))) }
vt_tensor vt_ones_like(vt_tensor t) { VT_TENSOR(at::ones_like(T(t))) }
vt_tensor vt_randn_like(vt_tensor t) { VT_TENSOR(at::randn_like(T(t))) }
vt_tensor vt_rand_like(vt_tensor t) { VT_TENSOR(at::rand_like(T(t))) }
vt_tensor vt_full_like(vt_tensor t, double v) { VT_TENSOR(at::full_like(T(t), v)) }

vt_tensor vt_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim, int dtype) {
  VT_TRY
  checked_shape_factory(shape, ndim);
  auto out = at::empty(vt::ints(shape, ndim), vt::options(dtype, 0, -1));
  int64_t need = out.numel() * static_cast<int64_t>(out.element_size());
  if (need != nbytes)
    throw std::invalid_argument("data has " + std::to_string(nbytes) + " bytes but shape " +
                                c10::str(out.sizes()) + " needs " + std::to_string(need));
  if (need > 0) {
    if (data == nullptr) throw std::invalid_argument("data pointer is null");
    std::memcpy(out.data_ptr(), data, static_cast<size_t>(need));
  }
  return vt::wrap(out);
  VT_CATCH(nullptr)
}

int vt_copy_to_host(vt_tensor t, void* dst, int64_t nbytes) {
  VT_TRY
  auto src = T(t).detach().to(at::kCPU).contiguous();
  int64_t have = src.numel() * static_cast<int64_t>(src.element_size());
  if (have != nbytes)
    throw std::invalid_argument("destination has " + std::to_string(nbytes) + " bytes but the tensor has " +
                                std::to_string(have));
  if (have > 0) std::memcpy(dst, src.data_ptr(), static_cast<size_t>(have));
  return 0;
  VT_CATCH(-1)
}

int vt_item_double(vt_tensor t, double* out) { VT_STATUS(*out = T(t).item<double>()) }
int vt_item_long(vt_tensor t, int64_t* out) { VT_STATUS(*out = T(t).item<int64_t>()) }

vt_tensor vt_to(vt_tensor t, int dtype, int dev_type, int dev_index, int non_blocking, int copy) {
  VT_TRY
  auto o = vt::options(dtype, dev_type, dev_index);
  return vt::wrap(T(t).to(o.device(), o.dtype().toScalarType(), non_blocking != 0, copy != 0));
  VT_CATCH(nullptr)
}
vt_tensor vt_pin_memory(vt_tensor t) { VT_TENSOR(T(t).pin_memory()) }
int vt_is_pinned(vt_tensor t) { VT_TRY return T(t).is_pinned() ? 1 : 0; VT_CATCH(-1) }
vt_tensor vt_detach(vt_tensor t) { VT_TENSOR(T(t).detach()) }
vt_tensor vt_clone(vt_tensor t) { VT_TENSOR(T(t).clone()) }
vt_tensor vt_contiguous(vt_tensor t) { VT_TENSOR(T(t).contiguous()) }
vt_tensor vt_alias(vt_tensor t) { VT_TENSOR(T(t)) }
int vt_copy_(vt_tensor dst, vt_tensor src, int nb) { VT_STATUS(T(dst).copy_(T(src), nb != 0)) }
int vt_fill_(vt_tensor t, double v) { VT_STATUS(T(t).fill_(v)) }
int vt_zero_(vt_tensor t) { VT_STATUS(T(t).zero_()) }
int vt_uniform_(vt_tensor t, double a, double b) { VT_STATUS(T(t).uniform_(a, b)) }
int vt_normal_(vt_tensor t, double m, double s) { VT_STATUS(T(t).normal_(m, s)) }
int vt_set_data(vt_tensor t, vt_tensor src) { VT_STATUS(T(t).set_data(T(src))) }

}  // extern "C"
