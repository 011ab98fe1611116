// Views, reshapes, joins, splits and indexing.
#include "internal.h"

using vt::T;

namespace {
int emit(const std::vector<at::Tensor>& parts, vt_tensor* out, int cap, int* count) {
  *count = static_cast<int>(parts.size());
  if (*count > cap) throw std::invalid_argument("result has " + std::to_string(*count) + " pieces, room for " + std::to_string(cap));
  for (size_t i = 0; i < parts.size(); ++i) out[i] = vt::wrap(parts[i]);
  return 0;
}
}  // namespace

extern "C" {

vt_tensor vt_reshape(vt_tensor a, const int64_t* s, int n) { VT_TENSOR(T(a).reshape(vt::ints(s, n))) }
vt_tensor vt_view(vt_tensor a, const int64_t* s, int n) { VT_TENSOR(T(a).view(vt::ints(s, n))) }
vt_tensor vt_permute(vt_tensor a, const int64_t* d, int n) { VT_TENSOR(T(a).permute(vt::ints(d, n))) }
vt_tensor vt_transpose(vt_tensor a, int64_t d0, int64_t d1) { VT_TENSOR(T(a).transpose(d0, d1)) }
vt_tensor vt_flatten(vt_tensor a, int64_t s, int64_t e) { VT_TENSOR(T(a).flatten(s, e)) }
vt_tensor vt_squeeze(vt_tensor a, int64_t d) { VT_TENSOR(T(a).squeeze(d)) }
vt_tensor vt_squeeze_all(vt_tensor a) { VT_TENSOR(T(a).squeeze()) }
vt_tensor vt_unsqueeze(vt_tensor a, int64_t d) { VT_TENSOR(T(a).unsqueeze(d)) }
vt_tensor vt_expand(vt_tensor a, const int64_t* s, int n) { VT_TENSOR(T(a).expand(vt::ints(s, n))) }
vt_tensor vt_repeat(vt_tensor a, const int64_t* r, int n) { VT_TENSOR(T(a).repeat(vt::ints(r, n))) }
vt_tensor vt_cat(const vt_tensor* ts, int n, int64_t dim) { VT_TENSOR(at::cat(vt::tensors(ts, n), dim)) }
vt_tensor vt_stack(const vt_tensor* ts, int n, int64_t dim) { VT_TENSOR(at::stack(vt::tensors(ts, n), dim)) }
int vt_chunk(vt_tensor a, int64_t chunks, int64_t dim, vt_tensor* out, int cap, int* count) {
  VT_TRY return emit(T(a).chunk(chunks, dim), out, cap, count); VT_CATCH(-1)
}
int vt_split(vt_tensor a, int64_t size, int64_t dim, vt_tensor* out, int cap, int* count) {
  VT_TRY return emit(T(a).split(size, dim), out, cap, count); VT_CATCH(-1)
}
vt_tensor vt_narrow(vt_tensor a, int64_t d, int64_t s, int64_t l) { VT_TENSOR(T(a).narrow(d, s, l)) }
vt_tensor vt_select(vt_tensor a, int64_t d, int64_t i) { VT_TENSOR(T(a).select(d, i)) }
vt_tensor vt_slice(vt_tensor a, int64_t d, int64_t s, int64_t e, int64_t st) { VT_TENSOR(T(a).slice(d, s, e, st)) }
vt_tensor vt_index_select(vt_tensor a, int64_t d, vt_tensor i) { VT_TENSOR(at::index_select(T(a), d, T(i))) }
vt_tensor vt_gather(vt_tensor a, int64_t d, vt_tensor i) { VT_TENSOR(at::gather(T(a), d, T(i))) }
vt_tensor vt_scatter_add(vt_tensor a, int64_t d, vt_tensor i, vt_tensor s) { VT_TENSOR(at::scatter_add(T(a), d, T(i), T(s))) }
vt_tensor vt_masked_select(vt_tensor a, vt_tensor m) { VT_TENSOR(at::masked_select(T(a), T(m))) }
vt_tensor vt_flip(vt_tensor a, const int64_t* d, int n) { VT_TENSOR(at::flip(T(a), vt::ints(d, n))) }
vt_tensor vt_tril(vt_tensor a, int64_t k) { VT_TENSOR(at::tril(T(a), k)) }
vt_tensor vt_diagonal(vt_tensor a, int64_t o, int64_t d0, int64_t d1) { VT_TENSOR(at::diagonal(T(a), o, d0, d1)) }
vt_tensor vt_diag_embed(vt_tensor a) { VT_TENSOR(at::diag_embed(T(a))) }
vt_tensor vt_nonzero(vt_tensor a) { VT_TENSOR(at::nonzero(T(a))) }
vt_tensor vt_bincount(vt_tensor a, int64_t minlength) { VT_TENSOR(at::bincount(T(a), {}, minlength)) }
vt_tensor vt_histc(vt_tensor a, int64_t bins, double lo, double hi) { VT_TENSOR(at::histc(T(a), bins, lo, hi)) }

}  // extern "C"
