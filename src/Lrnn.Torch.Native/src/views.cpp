// Views, reshaping, joining and splitting. Most results share storage with their input (view, transpose,
// narrow, slice, select, expand, ...), so writing through them with copy_ or an in-place op updates the input.
#include "common.h"

// ---- reshaping ------------------------------------------------------------------------------------------
LRNN_API tensor_t lrnn_view(tensor_t a, const int64_t* shape, int32_t ndim) { LRNN_TENSOR(a->view(lrnn::dims(shape, ndim))); }
LRNN_API tensor_t lrnn_reshape(tensor_t a, const int64_t* shape, int32_t ndim) { LRNN_TENSOR(a->reshape(lrnn::dims(shape, ndim))); }
LRNN_API tensor_t lrnn_transpose(tensor_t a, int64_t d0, int64_t d1) { LRNN_TENSOR(a->transpose(d0, d1)); }
LRNN_API tensor_t lrnn_permute(tensor_t a, const int64_t* dims, int32_t ndim) { LRNN_TENSOR(a->permute(lrnn::dims(dims, ndim))); }
LRNN_API tensor_t lrnn_flatten(tensor_t a, int64_t start_dim, int64_t end_dim) { LRNN_TENSOR(a->flatten(start_dim, end_dim)); }
LRNN_API tensor_t lrnn_unflatten(tensor_t a, int64_t dim, const int64_t* sizes, int32_t nsizes) {
  LRNN_TENSOR(at::unflatten(*a, dim, lrnn::dims(sizes, nsizes)));
}
LRNN_API tensor_t lrnn_unsqueeze(tensor_t a, int64_t dim) { LRNN_TENSOR(a->unsqueeze(dim)); }
LRNN_API tensor_t lrnn_squeeze(tensor_t a) { LRNN_TENSOR(a->squeeze()); }
LRNN_API tensor_t lrnn_squeeze_dim(tensor_t a, int64_t dim) { LRNN_TENSOR(a->squeeze(dim)); }
LRNN_API tensor_t lrnn_expand(tensor_t a, const int64_t* sizes, int32_t nsizes) { LRNN_TENSOR(a->expand(lrnn::dims(sizes, nsizes))); }
LRNN_API tensor_t lrnn_contiguous(tensor_t a) { LRNN_TENSOR(a->contiguous()); }
LRNN_API tensor_t lrnn_clone(tensor_t a) { LRNN_TENSOR(a->clone()); }

// ---- sub-tensors ------------------------------------------------------------------------------------------
LRNN_API tensor_t lrnn_narrow(tensor_t a, int64_t dim, int64_t start, int64_t length) { LRNN_TENSOR(a->narrow(dim, start, length)); }
// `end` = INT64_MAX means "to the end", as a missing end does in Python.
LRNN_API tensor_t lrnn_slice(tensor_t a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  LRNN_TENSOR(at::slice(*a, dim, start, end, step));
}
LRNN_API tensor_t lrnn_select(tensor_t a, int64_t dim, int64_t index) { LRNN_TENSOR(a->select(dim, index)); }
LRNN_API tensor_t lrnn_tril(tensor_t a, int64_t diagonal) { LRNN_TENSOR(at::tril(*a, diagonal)); }
LRNN_API tensor_t lrnn_triu(tensor_t a, int64_t diagonal) { LRNN_TENSOR(at::triu(*a, diagonal)); }

// ---- reordering and repetition ------------------------------------------------------------------------------
LRNN_API tensor_t lrnn_flip(tensor_t a, const int64_t* dims, int32_t ndims) { LRNN_TENSOR(at::flip(*a, lrnn::dims(dims, ndims))); }
LRNN_API tensor_t lrnn_roll(tensor_t a, const int64_t* shifts, int32_t nshifts, const int64_t* dims, int32_t ndims) {
  LRNN_TENSOR(at::roll(*a, lrnn::dims(shifts, nshifts), lrnn::dims(dims, ndims)));
}
LRNN_API tensor_t lrnn_repeat(tensor_t a, const int64_t* repeats, int32_t nrepeats) { LRNN_TENSOR(a->repeat(lrnn::dims(repeats, nrepeats))); }
// has_dim = 0: repeat the flattened tensor, as repeat_interleave(x, r) without dim does.
LRNN_API tensor_t lrnn_repeat_interleave(tensor_t a, int64_t repeats, int64_t dim, int32_t has_dim) {
  LRNN_TENSOR(at::repeat_interleave(*a, repeats, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt));
}
// Constant padding; `pad` pairs run from the last dimension backwards, as in torch.nn.functional.pad.
LRNN_API tensor_t lrnn_constant_pad(tensor_t a, const int64_t* pad, int32_t npad, lrnn_scalar value) {
  LRNN_TENSOR(at::constant_pad_nd(*a, lrnn::dims(pad, npad), lrnn::to_scalar(value)));
}

// ---- joining ----------------------------------------------------------------------------------------------
LRNN_API tensor_t lrnn_cat(tensor_t const* list, int64_t n, int64_t dim) { LRNN_TENSOR(at::cat(lrnn::tensors(list, n), dim)); }
LRNN_API tensor_t lrnn_stack(tensor_t const* list, int64_t n, int64_t dim) { LRNN_TENSOR(at::stack(lrnn::tensors(list, n), dim)); }

// ---- splitting: results through the caller's array (lrnn::write_list) -------------------------------------
LRNN_API int64_t lrnn_chunk(tensor_t a, int64_t chunks, int64_t dim, tensor_t* out, int64_t cap) {
  LRNN_VALUE(-1, lrnn::write_list(a->chunk(chunks, dim), out, cap));
}
LRNN_API int64_t lrnn_split(tensor_t a, int64_t split_size, int64_t dim, tensor_t* out, int64_t cap) {
  LRNN_VALUE(-1, lrnn::write_list(a->split(split_size, dim), out, cap));
}
LRNN_API int64_t lrnn_split_with_sizes(tensor_t a, const int64_t* sizes, int32_t nsizes, int64_t dim, tensor_t* out, int64_t cap) {
  LRNN_VALUE(-1, lrnn::write_list(a->split_with_sizes(lrnn::dims(sizes, nsizes), dim), out, cap));
}
LRNN_API int64_t lrnn_unbind(tensor_t a, int64_t dim, tensor_t* out, int64_t cap) {
  LRNN_VALUE(-1, lrnn::write_list(a->unbind(dim), out, cap));
}
