// Autograd: gradient mode, backward, gradients. Custom C++ autograd functions live in their own files
// (see fused_rms_norm.cpp for the pattern).
#include "common.h"

LRNN_API int32_t lrnn_requires_grad_(tensor_t t, int32_t value) { LRNN_STATUS(t->requires_grad_(value != 0)); }
LRNN_API tensor_t lrnn_grad(tensor_t t) { LRNN_TENSOR(at::Tensor(t->grad())); }
LRNN_API tensor_t lrnn_detach(tensor_t t) { LRNN_TENSOR(t->detach()); }
LRNN_API int32_t lrnn_backward(tensor_t t, tensor_t grad /* nullable */, int32_t retain_graph, int32_t create_graph) {
  LRNN_STATUS(t->backward(grad ? *grad : at::Tensor(), retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt,
                          create_graph != 0));
}
LRNN_API int32_t lrnn_grad_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
LRNN_API int32_t lrnn_set_grad_enabled(int32_t enabled) { LRNN_STATUS(at::GradMode::set_enabled(enabled != 0)); }
