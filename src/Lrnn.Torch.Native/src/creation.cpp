// Tensor factories. Every factory takes (dtype, device_type, device_index, requires_grad); dtype < 0 means
// libtorch's default dtype. The torch:: factories (not at::) are used because only they honour
// requires_grad: at:: factories reject a TensorOptions with requires_grad set.
#include "common.h"

#define LRNN_OPTS lrnn::options(dtype, device_type, device_index, requires_grad != 0)
#define LRNN_OPT_ARGS int32_t dtype, int32_t device_type, int32_t device_index, int32_t requires_grad

LRNN_API tensor_t lrnn_empty(const int64_t* shape, int32_t ndim, LRNN_OPT_ARGS) {
  LRNN_TENSOR(torch::empty(lrnn::dims(shape, ndim), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_zeros(const int64_t* shape, int32_t ndim, LRNN_OPT_ARGS) {
  LRNN_TENSOR(torch::zeros(lrnn::dims(shape, ndim), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_ones(const int64_t* shape, int32_t ndim, LRNN_OPT_ARGS) {
  LRNN_TENSOR(torch::ones(lrnn::dims(shape, ndim), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_full(const int64_t* shape, int32_t ndim, lrnn_scalar value, LRNN_OPT_ARGS) {
  LRNN_TENSOR(torch::full(lrnn::dims(shape, ndim), lrnn::to_scalar(value), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_arange(lrnn_scalar start, lrnn_scalar end, lrnn_scalar step, LRNN_OPT_ARGS) {
  LRNN_TENSOR(torch::arange(lrnn::to_scalar(start), lrnn::to_scalar(end), lrnn::to_scalar(step), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_linspace(double start, double end, int64_t steps, LRNN_OPT_ARGS) {
  LRNN_TENSOR(torch::linspace(start, end, steps, LRNN_OPTS));
}
// The identity matrix, n x m.
LRNN_API tensor_t lrnn_eye(int64_t n, int64_t m, LRNN_OPT_ARGS) { LRNN_TENSOR(torch::eye(n, m, LRNN_OPTS)); }

// ---- *_like: shape (and, unless overridden, dtype and device) of `a` ---------------------------------------
// The options carry only what the caller overrides: a missing dtype keeps a's, and the device is a's.
namespace {
at::TensorOptions like_options(const at::Tensor& a, int32_t dtype, int32_t requires_grad) {
  auto o = at::TensorOptions().device(a.device()).requires_grad(requires_grad != 0);
  return dtype >= 0 ? o.dtype(static_cast<at::ScalarType>(dtype)) : o.dtype(a.scalar_type());
}
}  // namespace

LRNN_API tensor_t lrnn_empty_like(tensor_t a, int32_t dtype, int32_t requires_grad) {
  LRNN_TENSOR(torch::empty_like(*a, like_options(*a, dtype, requires_grad)));
}
LRNN_API tensor_t lrnn_zeros_like(tensor_t a, int32_t dtype, int32_t requires_grad) {
  LRNN_TENSOR(torch::zeros_like(*a, like_options(*a, dtype, requires_grad)));
}
LRNN_API tensor_t lrnn_ones_like(tensor_t a, int32_t dtype, int32_t requires_grad) {
  LRNN_TENSOR(torch::ones_like(*a, like_options(*a, dtype, requires_grad)));
}
LRNN_API tensor_t lrnn_full_like(tensor_t a, lrnn_scalar value, int32_t dtype, int32_t requires_grad) {
  LRNN_TENSOR(torch::full_like(*a, lrnn::to_scalar(value), like_options(*a, dtype, requires_grad)));
}
