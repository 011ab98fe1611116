// Internal helpers of the shim: handle <-> at::Tensor conversion, the error store and the
// guard macros that keep every C++ exception on this side of the C ABI.
#pragma once

#include <ATen/ATen.h>
#include <atomic>
#include <string>
#include <vector>

#include "vaetorch.h"

struct vt_tensor_s {
  at::Tensor t;
};

namespace vt {

extern std::atomic<int64_t> live_handles;

void set_error(const char* message, int kind);
void clear_error();

inline vt_tensor wrap(at::Tensor t) {
  auto* h = new vt_tensor_s{std::move(t)};
  live_handles.fetch_add(1, std::memory_order_relaxed);
  return h;
}

// Wraps a possibly undefined tensor: undefined maps to NULL (a legitimate result).
inline vt_tensor wrap_optional(const at::Tensor& t) { return t.defined() ? wrap(t) : nullptr; }

inline at::Tensor& T(vt_tensor h) {
  if (h == nullptr) throw std::invalid_argument("tensor handle is null");
  return h->t;
}

inline at::Tensor opt(vt_tensor h) { return h == nullptr ? at::Tensor() : h->t; }

inline at::IntArrayRef ints(const int64_t* p, int n) {
  if (n < 0) throw std::invalid_argument("negative array length");
  if (n > 0 && p == nullptr) throw std::invalid_argument("array pointer is null");
  return at::IntArrayRef(p, static_cast<size_t>(n));
}

inline std::vector<at::Tensor> tensors(const vt_tensor* hs, int n) {
  if (n < 0) throw std::invalid_argument("negative tensor count");
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(T(hs[i]));
  return out;
}

at::TensorOptions options(int dtype, int dev_type, int dev_index);
int64_t reduction_code(int reduction);

}  // namespace vt

// Guard: catch c10::Error (message without the C++ backtrace), then std::exception, then
// anything else, store a one-line message and return the error value.
#define VT_TRY \
  try {        \
    vt::clear_error();
#define VT_CATCH(errval)                                                          \
  }                                                                               \
  catch (const c10::IndexError& e) {                                             \
    vt::set_error(e.what_without_backtrace(), VT_ERR_INDEX);                      \
    return errval;                                                                \
  }                                                                               \
  catch (const c10::ValueError& e) {                                             \
    vt::set_error(e.what_without_backtrace(), VT_ERR_VALUE);                      \
    return errval;                                                                \
  }                                                                               \
  catch (const c10::TypeError& e) {                                              \
    vt::set_error(e.what_without_backtrace(), VT_ERR_TYPE);                       \
    return errval;                                                                \
  }                                                                               \
  catch (const c10::NotImplementedError& e) {                                    \
    vt::set_error(e.what_without_backtrace(), VT_ERR_NOT_IMPLEMENTED);            \
    return errval;                                                                \
  }                                                                               \
  catch (const c10::Error& e) {                                                  \
    vt::set_error(e.what_without_backtrace(), VT_ERR_GENERIC);                    \
    return errval;                                                                \
  }                                                                               \
  catch (const std::bad_alloc&) {                                                \
    vt::set_error("out of memory", VT_ERR_OUT_OF_MEMORY);                          \
    return errval;                                                                \
  }                                                                               \
  catch (const std::invalid_argument& e) {                                       \
    vt::set_error(e.what(), VT_ERR_VALUE);                                        \
    return errval;                                                                \
  }                                                                               \
  catch (const std::out_of_range& e) {                                           \
    vt::set_error(e.what(), VT_ERR_INDEX);                                        \
    return errval;                                                                \
  }                                                                               \
  catch (const std::exception& e) {                                              \
    vt::set_error(e.what(), VT_ERR_GENERIC);                                      \
    return errval;                                                                \
  }                                                                               \
  catch (...) {                                                                  \
    vt::set_error("unknown native exception", VT_ERR_GENERIC);                    \
    return errval;                                                                \
  }

// One-expression bodies.
#define VT_TENSOR(expr) VT_TRY return vt::wrap(expr); VT_CATCH(nullptr)
#define VT_STATUS(stmt) VT_TRY stmt; return 0; VT_CATCH(-1)
