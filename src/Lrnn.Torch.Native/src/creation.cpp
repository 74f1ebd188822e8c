// Tensor factories. Every factory takes (dtype, device_type, device_index, requires_grad); dtype < 0 means
// libtorch's default dtype.
#include "common.h"

#define LRNN_OPTS lrnn::options(dtype, device_type, device_index, requires_grad != 0)
#define LRNN_OPT_ARGS int32_t dtype, int32_t device_type, int32_t device_index, int32_t requires_grad

LRNN_API tensor_t lrnn_empty(const int64_t* shape, int32_t ndim, LRNN_OPT_ARGS) {
  LRNN_TENSOR(at::empty(lrnn::dims(shape, ndim), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_zeros(const int64_t* shape, int32_t ndim, LRNN_OPT_ARGS) {
  LRNN_TENSOR(at::zeros(lrnn::dims(shape, ndim), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_ones(const int64_t* shape, int32_t ndim, LRNN_OPT_ARGS) {
  LRNN_TENSOR(at::ones(lrnn::dims(shape, ndim), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_full(const int64_t* shape, int32_t ndim, lrnn_scalar value, LRNN_OPT_ARGS) {
  LRNN_TENSOR(at::full(lrnn::dims(shape, ndim), lrnn::to_scalar(value), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_arange(lrnn_scalar start, lrnn_scalar end, lrnn_scalar step, LRNN_OPT_ARGS) {
  LRNN_TENSOR(at::arange(lrnn::to_scalar(start), lrnn::to_scalar(end), lrnn::to_scalar(step), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_linspace(double start, double end, int64_t steps, LRNN_OPT_ARGS) {
  LRNN_TENSOR(at::linspace(start, end, steps, LRNN_OPTS));
}
