// Elementwise arithmetic with broadcasting, and matrix products.
#include "common.h"

LRNN_API tensor_t lrnn_add(tensor_t a, tensor_t b, lrnn_scalar alpha) { LRNN_TENSOR(at::add(*a, *b, lrnn::to_scalar(alpha))); }
LRNN_API tensor_t lrnn_add_scalar(tensor_t a, lrnn_scalar b) { LRNN_TENSOR(at::add(*a, lrnn::to_scalar(b))); }
LRNN_API tensor_t lrnn_sub(tensor_t a, tensor_t b, lrnn_scalar alpha) { LRNN_TENSOR(at::sub(*a, *b, lrnn::to_scalar(alpha))); }
LRNN_API tensor_t lrnn_sub_scalar(tensor_t a, lrnn_scalar b) { LRNN_TENSOR(at::sub(*a, lrnn::to_scalar(b))); }
LRNN_API tensor_t lrnn_rsub_scalar(tensor_t a, lrnn_scalar b) { LRNN_TENSOR(at::rsub(*a, lrnn::to_scalar(b))); }
LRNN_API tensor_t lrnn_mul(tensor_t a, tensor_t b) { LRNN_TENSOR(at::mul(*a, *b)); }
LRNN_API tensor_t lrnn_mul_scalar(tensor_t a, lrnn_scalar b) { LRNN_TENSOR(at::mul(*a, lrnn::to_scalar(b))); }
LRNN_API tensor_t lrnn_div(tensor_t a, tensor_t b) { LRNN_TENSOR(at::div(*a, *b)); }
LRNN_API tensor_t lrnn_div_scalar(tensor_t a, lrnn_scalar b) { LRNN_TENSOR(at::div(*a, lrnn::to_scalar(b))); }
LRNN_API tensor_t lrnn_rdiv_scalar(tensor_t a, lrnn_scalar b) { LRNN_TENSOR(at::reciprocal(*a).mul_(lrnn::to_scalar(b))); }
LRNN_API tensor_t lrnn_matmul(tensor_t a, tensor_t b) { LRNN_TENSOR(at::matmul(*a, *b)); }
LRNN_API tensor_t lrnn_neg(tensor_t a) { LRNN_TENSOR(at::neg(*a)); }
LRNN_API tensor_t lrnn_exp(tensor_t a) { LRNN_TENSOR(at::exp(*a)); }

// In-place variants return a status; the handle keeps pointing at the same (modified) tensor.
LRNN_API int32_t lrnn_add_(tensor_t a, tensor_t b, lrnn_scalar alpha) { LRNN_STATUS(a->add_(*b, lrnn::to_scalar(alpha))); }
LRNN_API int32_t lrnn_mul_scalar_(tensor_t a, lrnn_scalar b) { LRNN_STATUS(a->mul_(lrnn::to_scalar(b))); }
LRNN_API int32_t lrnn_copy_(tensor_t dst, tensor_t src, int32_t non_blocking) { LRNN_STATUS(dst->copy_(*src, non_blocking != 0)); }
LRNN_API int32_t lrnn_zero_(tensor_t a) { LRNN_STATUS(a->zero_()); }
