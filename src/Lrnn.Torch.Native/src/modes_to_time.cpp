// real_modes_to_time_kernel: the no-gradient fast path of Lrnn's Vandermonde.RealModesToTime (S4D's convolution
// kernel, K_l = Re Σ_n w_n λ_n^l), one launch of cuda/vandermonde.cu instead of a dozen ATen ops. The differentiable
// version stays in C# (Lrnn/Modules/Lti/Vandermonde.cs); this export only says "not here" (null without an error)
// when the kernel does not apply, which includes inputs that need a gradient (the kernel cannot give one), so the
// caller asks once and needs no checks of its own.
#include "kernels.h"

// at_zero (nullable): a real (..., H) term added at l = 0.
LRNN_API tensor_t lrnn_real_modes_to_time_kernel(tensor_t weights, tensor_t log_lambda, int64_t length, tensor_t at_zero) {
  try {
    lrnn::clear_error();
    if (at::GradMode::is_enabled() &&
        (weights->requires_grad() || log_lambda->requires_grad() || (at_zero && at_zero->requires_grad())))
      return nullptr;
    const auto out = lrnn::kernels::real_modes_to_time(*weights, *log_lambda, length, at_zero ? *at_zero : at::Tensor());
    return out.defined() ? lrnn::wrap(out) : nullptr;
  }
  LRNN_CATCH(nullptr)
}
