// Elementwise arithmetic with broadcasting, unary functions, comparisons and matrix products.
#include "common.h"

namespace {
// Optional scalar bounds travel as nullable pointers to a caller-stack lrnn_scalar (nullptr = no bound).
c10::optional<at::Scalar> opt_scalar(const lrnn_scalar* s) {
  if (s == nullptr) return c10::nullopt;
  return lrnn::to_scalar(*s);
}
}  // namespace

// ---- binary arithmetic ---------------------------------------------------------------------------
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
LRNN_API tensor_t lrnn_pow(tensor_t a, tensor_t exponent) { LRNN_TENSOR(at::pow(*a, *exponent)); }
LRNN_API tensor_t lrnn_pow_scalar(tensor_t a, lrnn_scalar exponent) { LRNN_TENSOR(at::pow(*a, lrnn::to_scalar(exponent))); }
LRNN_API tensor_t lrnn_rpow_scalar(lrnn_scalar base, tensor_t exponent) { LRNN_TENSOR(at::pow(lrnn::to_scalar(base), *exponent)); }
LRNN_API tensor_t lrnn_remainder(tensor_t a, tensor_t b) { LRNN_TENSOR(at::remainder(*a, *b)); }
LRNN_API tensor_t lrnn_remainder_scalar(tensor_t a, lrnn_scalar b) { LRNN_TENSOR(at::remainder(*a, lrnn::to_scalar(b))); }
LRNN_API tensor_t lrnn_maximum(tensor_t a, tensor_t b) { LRNN_TENSOR(at::maximum(*a, *b)); }
LRNN_API tensor_t lrnn_minimum(tensor_t a, tensor_t b) { LRNN_TENSOR(at::minimum(*a, *b)); }

// ---- unary ---------------------------------------------------------------------------------------
#define LRNN_UNARY(op) \
  LRNN_API tensor_t lrnn_##op(tensor_t a) { LRNN_TENSOR(at::op(*a)); }
LRNN_UNARY(neg)
LRNN_UNARY(exp)
LRNN_UNARY(log)
LRNN_UNARY(log1p)
LRNN_UNARY(expm1)
LRNN_UNARY(sin)
LRNN_UNARY(cos)
LRNN_UNARY(sqrt)
LRNN_UNARY(rsqrt)
LRNN_UNARY(abs)  // complex input gives the real magnitude
LRNN_UNARY(reciprocal)
LRNN_UNARY(sign)
LRNN_UNARY(square)
LRNN_UNARY(floor)
LRNN_UNARY(ceil)
LRNN_UNARY(round)
#undef LRNN_UNARY

LRNN_API tensor_t lrnn_clamp(tensor_t a, const lrnn_scalar* min, const lrnn_scalar* max) {
  LRNN_TENSOR(at::clamp(*a, opt_scalar(min), opt_scalar(max)));
}

// ---- comparisons and logic (results are Bool tensors) ----------------------------------------------
#define LRNN_COMPARISON(op)                                                                          \
  LRNN_API tensor_t lrnn_##op(tensor_t a, tensor_t b) { LRNN_TENSOR(at::op(*a, *b)); }             \
  LRNN_API tensor_t lrnn_##op##_scalar(tensor_t a, lrnn_scalar b) { LRNN_TENSOR(at::op(*a, lrnn::to_scalar(b))); }
LRNN_COMPARISON(eq)
LRNN_COMPARISON(ne)
LRNN_COMPARISON(lt)
LRNN_COMPARISON(le)
LRNN_COMPARISON(gt)
LRNN_COMPARISON(ge)
#undef LRNN_COMPARISON

LRNN_API tensor_t lrnn_logical_and(tensor_t a, tensor_t b) { LRNN_TENSOR(at::logical_and(*a, *b)); }
LRNN_API tensor_t lrnn_logical_or(tensor_t a, tensor_t b) { LRNN_TENSOR(at::logical_or(*a, *b)); }
LRNN_API tensor_t lrnn_logical_not(tensor_t a) { LRNN_TENSOR(at::logical_not(*a)); }
LRNN_API tensor_t lrnn_isnan(tensor_t a) { LRNN_TENSOR(at::isnan(*a)); }
LRNN_API tensor_t lrnn_isinf(tensor_t a) { LRNN_TENSOR(at::isinf(*a)); }
LRNN_API tensor_t lrnn_isfinite(tensor_t a) { LRNN_TENSOR(at::isfinite(*a)); }
// 1 / 0, or -1 on error.
LRNN_API int32_t lrnn_allclose(tensor_t a, tensor_t b, double rtol, double atol, int32_t equal_nan) {
  LRNN_VALUE(-1, at::allclose(*a, *b, rtol, atol, equal_nan != 0) ? 1 : 0);
}
LRNN_API int32_t lrnn_equal(tensor_t a, tensor_t b) { LRNN_VALUE(-1, at::equal(*a, *b) ? 1 : 0); }

// ---- matrix products -------------------------------------------------------------------------------
LRNN_API tensor_t lrnn_matmul(tensor_t a, tensor_t b) { LRNN_TENSOR(at::matmul(*a, *b)); }
LRNN_API tensor_t lrnn_bmm(tensor_t a, tensor_t b) { LRNN_TENSOR(at::bmm(*a, *b)); }
LRNN_API tensor_t lrnn_outer(tensor_t a, tensor_t b) { LRNN_TENSOR(at::outer(*a, *b)); }
LRNN_API tensor_t lrnn_addmm(tensor_t input, tensor_t m1, tensor_t m2, lrnn_scalar beta, lrnn_scalar alpha) {
  LRNN_TENSOR(at::addmm(*input, *m1, *m2, lrnn::to_scalar(beta), lrnn::to_scalar(alpha)));
}
// `equation` is a NUL-terminated ASCII string owned by the caller for the duration of the call.
LRNN_API tensor_t lrnn_einsum(const char* equation, tensor_t const* operands, int32_t count) {
  LRNN_TENSOR(at::einsum(equation, lrnn::tensors(operands, count)));
}

// ---- in place: a status; the handle keeps pointing at the same (modified) tensor --------------------
LRNN_API int32_t lrnn_add_(tensor_t a, tensor_t b, lrnn_scalar alpha) { LRNN_STATUS(a->add_(*b, lrnn::to_scalar(alpha))); }
LRNN_API int32_t lrnn_add_scalar_(tensor_t a, lrnn_scalar b) { LRNN_STATUS(a->add_(lrnn::to_scalar(b))); }
LRNN_API int32_t lrnn_sub_(tensor_t a, tensor_t b, lrnn_scalar alpha) { LRNN_STATUS(a->sub_(*b, lrnn::to_scalar(alpha))); }
LRNN_API int32_t lrnn_mul_(tensor_t a, tensor_t b) { LRNN_STATUS(a->mul_(*b)); }
LRNN_API int32_t lrnn_mul_scalar_(tensor_t a, lrnn_scalar b) { LRNN_STATUS(a->mul_(lrnn::to_scalar(b))); }
LRNN_API int32_t lrnn_div_(tensor_t a, tensor_t b) { LRNN_STATUS(a->div_(*b)); }
LRNN_API int32_t lrnn_div_scalar_(tensor_t a, lrnn_scalar b) { LRNN_STATUS(a->div_(lrnn::to_scalar(b))); }
LRNN_API int32_t lrnn_fill_(tensor_t a, lrnn_scalar value) { LRNN_STATUS(a->fill_(lrnn::to_scalar(value))); }
LRNN_API int32_t lrnn_clamp_(tensor_t a, const lrnn_scalar* min, const lrnn_scalar* max) {
  LRNN_STATUS(a->clamp_(opt_scalar(min), opt_scalar(max)));
}
LRNN_API int32_t lrnn_copy_(tensor_t dst, tensor_t src, int32_t non_blocking) { LRNN_STATUS(dst->copy_(*src, non_blocking != 0)); }
LRNN_API int32_t lrnn_zero_(tensor_t a) { LRNN_STATUS(a->zero_()); }
