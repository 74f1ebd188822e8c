// Reductions, scans, sorting and norms. `dims` + `ndims` name the reduced dimensions; a null (or empty) list
// reduces over all of them where PyTorch allows `dim=None`.
#include "common.h"

namespace {
at::OptionalIntArrayRef opt_dims(const int64_t* dims, int32_t ndims) {
  if (dims == nullptr || ndims == 0) return c10::nullopt;
  return lrnn::dims(dims, ndims);
}

// libtorch 1.13 and 2.0 take `int? correction`, 2.1+ `Scalar? correction`.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
c10::optional<at::Scalar> correction_of(int64_t c) { return at::Scalar(c); }
#else
c10::optional<int64_t> correction_of(int64_t c) { return c; }
#endif

// (values, indices) results: both handles or neither.
void write_pair(std::tuple<at::Tensor, at::Tensor>&& result, tensor_t* out0, tensor_t* out1) {
  *out0 = nullptr;
  *out1 = nullptr;
  *out0 = lrnn::wrap(std::move(std::get<0>(result)));
  *out1 = lrnn::wrap(std::move(std::get<1>(result)));
}
}  // namespace

// ---- sums and means --------------------------------------------------------------------------------
LRNN_API tensor_t lrnn_sum_all(tensor_t a, int32_t dtype) { LRNN_TENSOR(at::sum(*a, lrnn::opt_dtype(dtype))); }
LRNN_API tensor_t lrnn_sum(tensor_t a, const int64_t* dims, int32_t ndims, int32_t keepdim, int32_t dtype) {
  LRNN_TENSOR(at::sum(*a, lrnn::dims(dims, ndims), keepdim != 0, lrnn::opt_dtype(dtype)));
}
LRNN_API tensor_t lrnn_mean_all(tensor_t a, int32_t dtype) { LRNN_TENSOR(at::mean(*a, lrnn::opt_dtype(dtype))); }
LRNN_API tensor_t lrnn_mean(tensor_t a, const int64_t* dims, int32_t ndims, int32_t keepdim, int32_t dtype) {
  LRNN_TENSOR(at::mean(*a, lrnn::dims(dims, ndims), keepdim != 0, lrnn::opt_dtype(dtype)));
}
LRNN_API tensor_t lrnn_logsumexp(tensor_t a, const int64_t* dims, int32_t ndims, int32_t keepdim) {
  LRNN_TENSOR(at::logsumexp(*a, lrnn::dims(dims, ndims), keepdim != 0));
}

// ---- scans ------------------------------------------------------------------------------------------
LRNN_API tensor_t lrnn_cumsum(tensor_t a, int64_t dim, int32_t dtype) { LRNN_TENSOR(at::cumsum(*a, dim, lrnn::opt_dtype(dtype))); }
LRNN_API tensor_t lrnn_cumprod(tensor_t a, int64_t dim, int32_t dtype) { LRNN_TENSOR(at::cumprod(*a, dim, lrnn::opt_dtype(dtype))); }

// ---- moments ----------------------------------------------------------------------------------------
// `correction` is Bessel's correction: the divisor is N - correction (1 = unbiased, 0 = population).
LRNN_API tensor_t lrnn_var(tensor_t a, const int64_t* dims, int32_t ndims, int64_t correction, int32_t keepdim) {
  LRNN_TENSOR(at::var(*a, opt_dims(dims, ndims), correction_of(correction), keepdim != 0));
}
LRNN_API tensor_t lrnn_std(tensor_t a, const int64_t* dims, int32_t ndims, int64_t correction, int32_t keepdim) {
  LRNN_TENSOR(at::std(*a, opt_dims(dims, ndims), correction_of(correction), keepdim != 0));
}

// ---- extrema ----------------------------------------------------------------------------------------
LRNN_API tensor_t lrnn_max_all(tensor_t a) { LRNN_TENSOR(at::max(*a)); }
LRNN_API tensor_t lrnn_min_all(tensor_t a) { LRNN_TENSOR(at::min(*a)); }
LRNN_API int32_t lrnn_max_dim(tensor_t a, int64_t dim, int32_t keepdim, tensor_t* values, tensor_t* indices) {
  LRNN_STATUS(write_pair(at::max(*a, dim, keepdim != 0), values, indices));
}
LRNN_API int32_t lrnn_min_dim(tensor_t a, int64_t dim, int32_t keepdim, tensor_t* values, tensor_t* indices) {
  LRNN_STATUS(write_pair(at::min(*a, dim, keepdim != 0), values, indices));
}
LRNN_API tensor_t lrnn_amax(tensor_t a, const int64_t* dims, int32_t ndims, int32_t keepdim) {
  LRNN_TENSOR(at::amax(*a, lrnn::dims(dims, ndims), keepdim != 0));
}
LRNN_API tensor_t lrnn_amin(tensor_t a, const int64_t* dims, int32_t ndims, int32_t keepdim) {
  LRNN_TENSOR(at::amin(*a, lrnn::dims(dims, ndims), keepdim != 0));
}
// `dim` is nullable: nullptr = the index into the flattened tensor.
LRNN_API tensor_t lrnn_argmax(tensor_t a, const int64_t* dim, int32_t keepdim) {
  LRNN_TENSOR(at::argmax(*a, dim ? c10::optional<int64_t>(*dim) : c10::nullopt, keepdim != 0));
}
LRNN_API tensor_t lrnn_argmin(tensor_t a, const int64_t* dim, int32_t keepdim) {
  LRNN_TENSOR(at::argmin(*a, dim ? c10::optional<int64_t>(*dim) : c10::nullopt, keepdim != 0));
}

// ---- sorting ----------------------------------------------------------------------------------------
LRNN_API int32_t lrnn_topk(tensor_t a, int64_t k, int64_t dim, int32_t largest, int32_t sorted, tensor_t* values,
                           tensor_t* indices) {
  LRNN_STATUS(write_pair(at::topk(*a, k, dim, largest != 0, sorted != 0), values, indices));
}
LRNN_API int32_t lrnn_sort(tensor_t a, int64_t dim, int32_t descending, int32_t stable, tensor_t* values,
                           tensor_t* indices) {
  LRNN_STATUS(write_pair(at::sort(*a, c10::optional<bool>(stable != 0), dim, descending != 0), values, indices));
}

// ---- norms ------------------------------------------------------------------------------------------
// The vector p-norm (p = +-inf allowed) over `dims`, or over all elements.
LRNN_API tensor_t lrnn_norm(tensor_t a, double p, const int64_t* dims, int32_t ndims, int32_t keepdim) {
  LRNN_TENSOR(at::linalg_vector_norm(*a, p, opt_dims(dims, ndims), keepdim != 0));
}
