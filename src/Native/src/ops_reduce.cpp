// Reductions over all or selected dimensions, arg/top-k/sort.
#include "internal.h"

using vt::T;

namespace {
at::Tensor reduce(int op, const at::Tensor& a, at::IntArrayRef dims, bool keep) {
  bool all = dims.empty();
  switch (op) {
    case VT_SUM: return all && !keep ? at::sum(a) : at::sum(a, dims, keep);
    case VT_MEAN: return all && !keep ? at::mean(a) : at::mean(a, dims, keep);
    case VT_LOGSUMEXP: {
      if (!all) return at::logsumexp(a, dims, keep);
      std::vector<int64_t> every(a.dim());
      for (int64_t i = 0; i < a.dim(); ++i) every[i] = i;
      return at::logsumexp(a, every, keep);
    }
    case VT_AMAX: return at::amax(a, dims, keep);
    case VT_AMIN: return at::amin(a, dims, keep);
    case VT_ALL:
      if (all) return keep ? at::all(a).reshape(std::vector<int64_t>(a.dim(), 1)) : at::all(a);
      if (dims.size() != 1) throw std::invalid_argument("all() takes one dimension");
      return at::all(a, dims[0], keep);
    case VT_ANY:
      if (all) return keep ? at::any(a).reshape(std::vector<int64_t>(a.dim(), 1)) : at::any(a);
      if (dims.size() != 1) throw std::invalid_argument("any() takes one dimension");
      return at::any(a, dims[0], keep);
    default: throw std::invalid_argument("unknown reduction op code " + std::to_string(op));
  }
}
}  // namespace

extern "C" {

vt_tensor vt_reduce(int op, vt_tensor a, const int64_t* dims, int n, int keep) {
  VT_TENSOR(reduce(op, T(a), vt::ints(dims, n), keep != 0))
}
vt_tensor vt_var(vt_tensor a, const int64_t* dims, int n, int unbiased, int keep) {
  VT_TRY
  auto& x = T(a);
  if (n == 0 && !keep) return vt::wrap(at::var(x, unbiased != 0));
  return vt::wrap(at::var(x, vt::ints(dims, n), unbiased != 0, keep != 0));
  VT_CATCH(nullptr)
}
vt_tensor vt_std(vt_tensor a, const int64_t* dims, int n, int unbiased, int keep) {
  VT_TRY
  auto& x = T(a);
  if (n == 0 && !keep) return vt::wrap(at::std(x, unbiased != 0));
  return vt::wrap(at::std(x, vt::ints(dims, n), unbiased != 0, keep != 0));
  VT_CATCH(nullptr)
}
vt_tensor vt_norm(vt_tensor a, double p, const int64_t* dims, int n, int keep) {
  VT_TRY
  if (n == 0 && !keep) return vt::wrap(at::norm(T(a), p));
  return vt::wrap(at::norm(T(a), p, vt::ints(dims, n), keep != 0));
  VT_CATCH(nullptr)
}
int vt_max_dim(vt_tensor a, int64_t dim, int keep, vt_tensor* v, vt_tensor* i) {
  VT_TRY auto r = at::max(T(a), dim, keep != 0);
  *v = vt::wrap(std::get<0>(r)); *i = vt::wrap(std::get<1>(r)); return 0;
  VT_CATCH(-1)
}
int vt_min_dim(vt_tensor a, int64_t dim, int keep, vt_tensor* v, vt_tensor* i) {
  VT_TRY auto r = at::min(T(a), dim, keep != 0);
  *v = vt::wrap(std::get<0>(r)); *i = vt::wrap(std::get<1>(r)); return 0;
  VT_CATCH(-1)
}
vt_tensor vt_argmax(vt_tensor a, int64_t dim, int keep) { VT_TENSOR(at::argmax(T(a), dim, keep != 0)) }
vt_tensor vt_argmin(vt_tensor a, int64_t dim, int keep) { VT_TENSOR(at::argmin(T(a), dim, keep != 0)) }
int vt_topk(vt_tensor a, int64_t k, int64_t dim, int largest, int sorted, vt_tensor* v, vt_tensor* i) {
  VT_TRY auto r = at::topk(T(a), k, dim, largest != 0, sorted != 0);
  *v = vt::wrap(std::get<0>(r)); *i = vt::wrap(std::get<1>(r)); return 0;
  VT_CATCH(-1)
}
int vt_sort(vt_tensor a, int64_t dim, int desc, vt_tensor* v, vt_tensor* i) {
  VT_TRY auto r = at::sort(T(a), dim, desc != 0);
  *v = vt::wrap(std::get<0>(r)); *i = vt::wrap(std::get<1>(r)); return 0;
  VT_CATCH(-1)
}

}  // extern "C"
