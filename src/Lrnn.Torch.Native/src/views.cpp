// Views, reshaping and indexing.
#include "common.h"

LRNN_API tensor_t lrnn_view(tensor_t a, const int64_t* shape, int32_t ndim) { LRNN_TENSOR(a->view(lrnn::dims(shape, ndim))); }
LRNN_API tensor_t lrnn_reshape(tensor_t a, const int64_t* shape, int32_t ndim) { LRNN_TENSOR(a->reshape(lrnn::dims(shape, ndim))); }
LRNN_API tensor_t lrnn_transpose(tensor_t a, int64_t d0, int64_t d1) { LRNN_TENSOR(a->transpose(d0, d1)); }
LRNN_API tensor_t lrnn_contiguous(tensor_t a) { LRNN_TENSOR(a->contiguous()); }
