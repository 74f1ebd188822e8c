// RMSNorm with a hand-written backward: y = x · rsqrt(mean(x², -1) + eps) · w.
//
// The composite formula records ~6 autograd nodes and saves each intermediate of x's size; this op records
// one node and saves x, w and one reciprocal RMS per row. Arithmetic runs in float32 for bf16/f16 inputs
// (lrnn::autograd::compute_dtype); the output and the gradients come back in the dtypes of x and w.
#include "autograd_function.h"

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

at::ScalarType rms_norm_compute_dtype(const at::Tensor& x, const at::Tensor& weight) {
  return at::promote_types(lrnn::autograd::compute_dtype(x.scalar_type()),
                           lrnn::autograd::compute_dtype(weight.scalar_type()));
}

struct RmsNormFunction : torch::autograd::Function<RmsNormFunction> {
  // x: (..., D), weight: (D) -> y: (..., D) in x's dtype.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight, double eps) {
    const auto dtype = rms_norm_compute_dtype(x, weight);
    const auto xc = x.to(dtype);
    const auto rstd = at::rsqrt(xc.square().mean(-1, /*keepdim=*/true).add_(eps));  // (..., 1)
    ctx->save_for_backward({x, weight, rstd});
    return (xc * rstd * weight.to(dtype)).to(x.scalar_type());
  }

  // With x̂ = x·r and g' = g·w (r the reciprocal RMS of the row):
  //   dL/dw = Σ_rows g·x̂,   dL/dx = r · (g' − x̂ · mean(g'·x̂, -1)).
  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& weight = saved[1];
    const auto& rstd = saved[2];
    const auto& grad_y = grad_outputs[0];
    if (!grad_y.defined()) return {at::Tensor(), at::Tensor(), at::Tensor()};

    const auto dtype = rstd.scalar_type();
    const auto g = grad_y.to(dtype);                                    // (..., D)
    const auto x_hat = x.to(dtype) * rstd;                              // (..., D)
    const auto grad_weight = (g * x_hat).reshape({-1, x.size(-1)}).sum(0);  // (D)
    const auto g_w = g * weight.to(dtype);                              // (..., D)
    const auto grad_x = rstd * (g_w - x_hat * (g_w * x_hat).mean(-1, /*keepdim=*/true));
    return {grad_x.to(x.scalar_type()), grad_weight.to(weight.scalar_type()), at::Tensor()};
  }
};

}  // namespace

LRNN_API tensor_t lrnn_rms_norm_fused(tensor_t x, tensor_t weight, double eps) {
  try {
    lrnn::clear_error();
    LRNN_REQUIRE(x->dim() >= 1 && weight->dim() == 1 && weight->size(0) == x->size(-1),
                 "rms_norm_fused: weight must have shape [D] with D the last dimension of x; got x " +
                     c10::str(x->sizes()) + ", weight " + c10::str(weight->sizes()));
    LRNN_REQUIRE(at::isFloatingType(x->scalar_type()) && at::isFloatingType(weight->scalar_type()),
                 "rms_norm_fused: x and weight must be floating point");
    return lrnn::wrap(RmsNormFunction::apply(*x, *weight, eps));
  }
  LRNN_CATCH(nullptr)
}
