// torch.nn.functional: the layers' forward computations. Optional tensors are nullptr.
#include "common.h"

namespace {

const at::Tensor& or_undefined(tensor_t t) {
  static const at::Tensor undefined;
  return t ? *t : undefined;
}

bool is_low_precision(const at::Tensor& t) {
  return t.scalar_type() == at::kHalf || t.scalar_type() == at::kBFloat16;
}

// Half and bfloat16 are normalised in float32 (sums of squares overflow or lose precision otherwise) and the
// result is cast back to the input's dtype; other dtypes are computed as they are.
at::Tensor upcast(const at::Tensor& t, bool low_precision) {
  return low_precision && t.defined() ? t.to(at::kFloat) : t;
}

}  // namespace

LRNN_API tensor_t lrnn_linear(tensor_t x, tensor_t weight, tensor_t bias) {
  LRNN_TENSOR(at::linear(*x, *weight, or_undefined(bias)));
}

// padding_idx < 0: none. The padding row receives no gradient.
LRNN_API tensor_t lrnn_embedding(tensor_t ids, tensor_t weight, int64_t padding_idx) {
  LRNN_TENSOR(at::embedding(*weight, *ids, padding_idx));
}

LRNN_API tensor_t lrnn_conv1d(tensor_t x, tensor_t weight, tensor_t bias, int64_t stride, int64_t padding,
                              int64_t dilation, int64_t groups) {
  LRNN_TENSOR(at::conv1d(*x, *weight, or_undefined(bias), at::IntArrayRef(stride), at::IntArrayRef(padding),
                         at::IntArrayRef(dilation), groups));
}

LRNN_API tensor_t lrnn_layer_norm(tensor_t x, const int64_t* shape, int32_t ndim, tensor_t weight, tensor_t bias,
                                  double eps) {
  try {
    lrnn::clear_error();
    const bool low = is_low_precision(*x);
    auto y = at::layer_norm(upcast(*x, low), lrnn::dims(shape, ndim), upcast(or_undefined(weight), low),
                            upcast(or_undefined(bias), low), eps);
    return lrnn::wrap(low ? y.to(x->scalar_type()) : std::move(y));
  }
  LRNN_CATCH(nullptr)
}

// y = x * rsqrt(mean(x², -1) + eps) * weight, over the last dimension.
LRNN_API tensor_t lrnn_rms_norm(tensor_t x, tensor_t weight, double eps) {
  try {
    lrnn::clear_error();
    const bool low = is_low_precision(*x);
    auto xf = upcast(*x, low);
    auto y = xf * at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true).add(eps));
    if (weight) y = y * upcast(*weight, low);
    return lrnn::wrap(low ? y.to(x->scalar_type()) : std::move(y));
  }
  LRNN_CATCH(nullptr)
}

// Zeroes elements with probability p and scales the rest by 1/(1-p) when training; identity otherwise.
LRNN_API tensor_t lrnn_dropout(tensor_t x, double p, int32_t training) {
  LRNN_TENSOR(at::dropout(*x, p, training != 0));
}
