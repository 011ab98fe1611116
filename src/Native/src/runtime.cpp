// Runtime state: errors, version and configuration, threads, seeds, RNG state, grad mode, CUDA presence.
#include <ATen/Parallel.h>
#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>
#include <c10/util/Logging.h>
#include <functional>
#include <torch/version.h>

#include "internal.h"

#include <algorithm>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace vt {

std::atomic<int64_t> live_handles{0};

namespace {
// libtorch 1.13 captures and symbolizes a full C++ backtrace for every c10::Error (about 5 ms on a
// small VM). The shim only ever reports what_without_backtrace(), so that work is skipped: errors
// then cost microseconds. Runs once when the library loads.
const bool backtraces_disabled = [] {
  c10::SetStackTraceFetcher(std::function<std::string()>([] { return std::string(); }));
  return true;
}();

thread_local std::string last_error;
thread_local int last_kind = VT_ERR_NONE;
std::string config_text;
}  // namespace

void set_error(const char* message, int kind) {
  std::string m = message ? message : "unknown error";
  // Keep only the first meaningful lines; libtorch messages may carry a trailing context block.
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  last_error = m;
  last_kind = kind;
}

void clear_error() {
  if (last_kind != VT_ERR_NONE) {
    last_error.clear();
    last_kind = VT_ERR_NONE;
  }
}

at::TensorOptions options(int dtype, int dev_type, int dev_index) {
  if (dev_type != 0 && dev_type != 1) throw std::invalid_argument("unknown device type " + std::to_string(dev_type));
  auto dev = at::Device(static_cast<c10::DeviceType>(dev_type),
                        static_cast<c10::DeviceIndex>(dev_type == 0 ? -1 : dev_index));
  return at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)).device(dev);
}

int64_t reduction_code(int reduction) {
  switch (reduction) {
    case 0: return at::Reduction::None;
    case 1: return at::Reduction::Mean;
    case 2: return at::Reduction::Sum;
    default: throw std::invalid_argument("unknown reduction " + std::to_string(reduction));
  }
}

}  // namespace vt

extern "C" {

const char* vt_last_error(void) { return vt::last_error.c_str(); }
int vt_last_error_kind(void) { return vt::last_kind; }
const char* vt_version(void) { return TORCH_VERSION; }

const char* vt_config(void) {
  VT_TRY
  if (vt::config_text.empty()) vt::config_text = at::show_config();
  return vt::config_text.c_str();
  VT_CATCH(nullptr)
}

int vt_get_num_threads(void) { VT_TRY return at::get_num_threads(); VT_CATCH(-1) }
int vt_set_num_threads(int n) { VT_STATUS(at::set_num_threads(n)) }
int vt_set_num_interop_threads(int n) { VT_STATUS(at::set_num_interop_threads(n)) }
int vt_retain_freed_memory(int64_t trim_threshold, int64_t mmap_threshold) {
  VT_TRY
  if (trim_threshold < 0 || mmap_threshold < 0) throw std::invalid_argument("thresholds must be non-negative");
#if defined(__GLIBC__)
  // glibc returns the top of the heap to the kernel once more than M_TRIM_THRESHOLD is free, and
  // serves large blocks with mmap; a training step that frees its whole graph at once then page-faults
  // (and zeroes) the same memory again every iteration. Raising both keeps freed memory for reuse.
  const int64_t max_int = 2147483647;
  int ok = mallopt(M_MMAP_THRESHOLD, static_cast<int>(std::min(mmap_threshold, max_int)));
  ok &= mallopt(M_TRIM_THRESHOLD, static_cast<int>(std::min(trim_threshold, max_int)));
  if (!ok) throw std::invalid_argument("the C library refused the allocator thresholds");
  return 1;
#else
  return 0;
#endif
  VT_CATCH(-1)
}
int vt_manual_seed(int64_t seed) { VT_STATUS(at::manual_seed(static_cast<uint64_t>(seed))) }

vt_tensor vt_rng_get_state(void) {
  VT_TRY
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return vt::wrap(gen.get_state());
  VT_CATCH(nullptr)
}

int vt_rng_set_state(vt_tensor state) {
  VT_TRY
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(vt::T(state));
  return 0;
  VT_CATCH(-1)
}

vt_tensor vt_cuda_rng_get_state(int device) {
  VT_TRY
  auto gen = at::detail::getCUDAHooks().getDefaultCUDAGenerator(device);
  std::lock_guard<std::mutex> lock(gen.mutex());
  return vt::wrap(gen.get_state());
  VT_CATCH(nullptr)
}

int vt_cuda_rng_set_state(int device, vt_tensor state) {
  VT_TRY
  auto gen = at::detail::getCUDAHooks().getDefaultCUDAGenerator(device);
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(vt::T(state));
  return 0;
  VT_CATCH(-1)
}

int vt_cuda_is_available(void) { VT_TRY return at::hasCUDA() ? 1 : 0; VT_CATCH(0) }
int vt_cuda_device_count(void) {
  VT_TRY return at::hasCUDA() ? static_cast<int>(at::detail::getCUDAHooks().getNumGPUs()) : 0; VT_CATCH(0)
}

int vt_cuda_synchronize(int device) {
  VT_TRY
  if (!at::hasCUDA()) throw std::invalid_argument("CUDA is not available in this libtorch build");
  // A device-to-host copy of a tiny tensor waits for all queued work on the current stream.
  auto t = at::zeros({1}, vt::options(static_cast<int>(at::kFloat), 1, device));
  (void)t.cpu();
  return 0;
  VT_CATCH(-1)
}

int vt_has_mkldnn(void) { VT_TRY return at::hasMKLDNN() ? 1 : 0; VT_CATCH(0) }
int vt_is_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }
int vt_set_grad_enabled(int enabled) { VT_STATUS(c10::GradMode::set_enabled(enabled != 0)) }
int64_t vt_native_live_tensors(void) { return vt::live_handles.load(); }

}  // extern "C"
