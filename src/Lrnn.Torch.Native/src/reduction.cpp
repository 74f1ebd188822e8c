// Reductions.
#include "common.h"

LRNN_API tensor_t lrnn_sum_all(tensor_t a, int32_t dtype) {
  LRNN_TENSOR(dtype >= 0 ? at::sum(*a, static_cast<at::ScalarType>(dtype)) : at::sum(*a));
}
LRNN_API tensor_t lrnn_sum(tensor_t a, const int64_t* dims, int32_t ndims, int32_t keepdim, int32_t dtype) {
  LRNN_TENSOR(at::sum(*a, lrnn::dims(dims, ndims), keepdim != 0, lrnn::opt_dtype(dtype)));
}
LRNN_API tensor_t lrnn_mean_all(tensor_t a) { LRNN_TENSOR(at::mean(*a)); }
LRNN_API tensor_t lrnn_mean(tensor_t a, const int64_t* dims, int32_t ndims, int32_t keepdim) {
  LRNN_TENSOR(at::mean(*a, lrnn::dims(dims, ndims), keepdim != 0));
}
