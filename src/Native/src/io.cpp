// TorchScript modules (user-supplied feature extractors). The only TU with torch/script.h.
#include <torch/script.h>

#include "internal.h"

struct vt_module_s {
  torch::jit::Module m;
  at::Device device{at::kCPU};
};

extern "C" {

vt_module vt_jit_load(const char* path, int dev_type, int dev_index) {
  VT_TRY
  if (path == nullptr) throw std::invalid_argument("path is null");
  auto dev = vt::options(static_cast<int>(at::kFloat), dev_type, dev_index).device();
  auto* h = new vt_module_s{torch::jit::load(std::string(path), dev), dev};
  h->m.eval();
  return h;
  VT_CATCH(nullptr)
}

vt_tensor vt_jit_forward(vt_module m, const vt_tensor* inputs, int n) {
  VT_TRY
  if (m == nullptr) throw std::invalid_argument("module handle is null");
  std::vector<torch::jit::IValue> args;
  for (int i = 0; i < n; ++i) args.emplace_back(vt::T(inputs[i]));
  auto out = m->m.forward(args);
  if (out.isTensor()) return vt::wrap(out.toTensor());
  if (out.isTuple()) {
    auto elems = out.toTuple()->elements();
    if (!elems.empty() && elems[0].isTensor()) return vt::wrap(elems[0].toTensor());
  }
  if (out.isTensorList()) {
    auto list = out.toTensorList();
    if (list.size() > 0) return vt::wrap(list.get(0));
  }
  throw std::invalid_argument("TorchScript forward did not return a tensor (got " + out.tagKind() + ")");
  VT_CATCH(nullptr)
}

int vt_jit_set_train(vt_module m, int train) {
  VT_TRY
  if (m == nullptr) throw std::invalid_argument("module handle is null");
  m->m.train(train != 0);
  return 0;
  VT_CATCH(-1)
}

void vt_jit_free(vt_module m) {
  try {
    delete m;
  } catch (...) {
  }
}

}  // extern "C"
