// Indexing by tensors: gather/scatter, index_select/index_copy/index_put, masks and where.
#include "common.h"

// ---- reading ----------------------------------------------------------------------------------------------
LRNN_API tensor_t lrnn_index_select(tensor_t a, int64_t dim, tensor_t index) { LRNN_TENSOR(at::index_select(*a, dim, *index)); }
LRNN_API tensor_t lrnn_gather(tensor_t a, int64_t dim, tensor_t index) { LRNN_TENSOR(at::gather(*a, dim, *index)); }

// ---- scattering: out of place returns a new tensor, `_` writes into `a` --------------------------------------
LRNN_API tensor_t lrnn_scatter(tensor_t a, int64_t dim, tensor_t index, tensor_t src) { LRNN_TENSOR(at::scatter(*a, dim, *index, *src)); }
LRNN_API tensor_t lrnn_scatter_value(tensor_t a, int64_t dim, tensor_t index, lrnn_scalar value) {
  LRNN_TENSOR(at::scatter(*a, dim, *index, lrnn::to_scalar(value)));
}
LRNN_API tensor_t lrnn_scatter_add(tensor_t a, int64_t dim, tensor_t index, tensor_t src) { LRNN_TENSOR(at::scatter_add(*a, dim, *index, *src)); }
LRNN_API int32_t lrnn_scatter_(tensor_t a, int64_t dim, tensor_t index, tensor_t src) { LRNN_STATUS(a->scatter_(dim, *index, *src)); }
LRNN_API int32_t lrnn_scatter_value_(tensor_t a, int64_t dim, tensor_t index, lrnn_scalar value) {
  LRNN_STATUS(a->scatter_(dim, *index, lrnn::to_scalar(value)));
}
LRNN_API int32_t lrnn_scatter_add_(tensor_t a, int64_t dim, tensor_t index, tensor_t src) { LRNN_STATUS(a->scatter_add_(dim, *index, *src)); }

// ---- writing slices selected by index tensors ------------------------------------------------------------------
LRNN_API tensor_t lrnn_index_copy(tensor_t a, int64_t dim, tensor_t index, tensor_t src) { LRNN_TENSOR(at::index_copy(*a, dim, *index, *src)); }
LRNN_API int32_t lrnn_index_copy_(tensor_t a, int64_t dim, tensor_t index, tensor_t src) { LRNN_STATUS(a->index_copy_(dim, *index, *src)); }

namespace {
// One optional index tensor per leading dimension, as `a[i0, i1, ...]`; nullptr stands for `:`.
c10::List<c10::optional<at::Tensor>> index_list(tensor_t const* indices, int64_t n) {
  c10::List<c10::optional<at::Tensor>> list;
  list.reserve(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k)
    list.push_back(indices[k] ? c10::optional<at::Tensor>(*indices[k]) : c10::optional<at::Tensor>());
  return list;
}
}  // namespace

LRNN_API tensor_t lrnn_index_put(tensor_t a, tensor_t const* indices, int64_t n, tensor_t values, int32_t accumulate) {
  LRNN_TENSOR(at::index_put(*a, index_list(indices, n), *values, accumulate != 0));
}
LRNN_API int32_t lrnn_index_put_(tensor_t a, tensor_t const* indices, int64_t n, tensor_t values, int32_t accumulate) {
  LRNN_STATUS(a->index_put_(index_list(indices, n), *values, accumulate != 0));
}

// ---- masks ----------------------------------------------------------------------------------------------
LRNN_API tensor_t lrnn_masked_fill(tensor_t a, tensor_t mask, lrnn_scalar value) { LRNN_TENSOR(at::masked_fill(*a, *mask, lrnn::to_scalar(value))); }
LRNN_API int32_t lrnn_masked_fill_(tensor_t a, tensor_t mask, lrnn_scalar value) { LRNN_STATUS(a->masked_fill_(*mask, lrnn::to_scalar(value))); }

LRNN_API tensor_t lrnn_where(tensor_t cond, tensor_t a, tensor_t b) { LRNN_TENSOR(at::where(*cond, *a, *b)); }
LRNN_API tensor_t lrnn_where_scalar_other(tensor_t cond, tensor_t a, lrnn_scalar b) { LRNN_TENSOR(at::where(*cond, *a, lrnn::to_scalar(b))); }
LRNN_API tensor_t lrnn_where_scalar_self(tensor_t cond, lrnn_scalar a, tensor_t b) { LRNN_TENSOR(at::where(*cond, lrnn::to_scalar(a), *b)); }
LRNN_API tensor_t lrnn_where_scalars(tensor_t cond, lrnn_scalar a, lrnn_scalar b) {
  LRNN_TENSOR(at::where(*cond, lrnn::to_scalar(a), lrnn::to_scalar(b)));
}
