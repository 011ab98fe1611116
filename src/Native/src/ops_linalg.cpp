// Matrix products, distances and symmetric eigendecomposition.
#include "internal.h"

using vt::T;

extern "C" {

vt_tensor vt_matmul(vt_tensor a, vt_tensor b) { VT_TENSOR(at::matmul(T(a), T(b))) }
vt_tensor vt_mm(vt_tensor a, vt_tensor b) { VT_TENSOR(at::mm(T(a), T(b))) }
vt_tensor vt_bmm(vt_tensor a, vt_tensor b) { VT_TENSOR(at::bmm(T(a), T(b))) }
vt_tensor vt_linear(vt_tensor x, vt_tensor w, vt_tensor b) { VT_TENSOR(at::linear(T(x), T(w), vt::opt(b))) }
vt_tensor vt_cdist(vt_tensor a, vt_tensor b, double p) { VT_TENSOR(at::cdist(T(a), T(b), p)) }
vt_tensor vt_outer(vt_tensor a, vt_tensor b) { VT_TENSOR(at::outer(T(a), T(b))) }
int vt_eigh(vt_tensor a, vt_tensor* w, vt_tensor* v) {
  VT_TRY auto r = at::linalg_eigh(T(a));
  *w = vt::wrap(std::get<0>(r)); *v = vt::wrap(std::get<1>(r)); return 0;
  VT_CATCH(-1)
}
int vt_slogdet(vt_tensor a, vt_tensor* s, vt_tensor* l) {
  VT_TRY auto r = at::linalg_slogdet(T(a));
  *s = vt::wrap(std::get<0>(r)); *l = vt::wrap(std::get<1>(r)); return 0;
  VT_CATCH(-1)
}

}  // extern "C"
