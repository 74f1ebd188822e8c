// Autograd: gradient and inference modes, backward, gradients. Custom C++ autograd functions live in their
// own files (autograd_function.h explains the pattern; fused_rms_norm.cpp is the first one).
#include "common.h"

#include <c10/core/InferenceMode.h>

LRNN_API int32_t lrnn_requires_grad_(tensor_t t, int32_t value) { LRNN_STATUS(t->requires_grad_(value != 0)); }
LRNN_API tensor_t lrnn_grad(tensor_t t) { LRNN_TENSOR(at::Tensor(t->grad())); }
LRNN_API tensor_t lrnn_detach(tensor_t t) { LRNN_TENSOR(t->detach()); }
LRNN_API int32_t lrnn_backward(tensor_t t, tensor_t grad /* nullable */, int32_t retain_graph, int32_t create_graph) {
  LRNN_STATUS(t->backward(grad ? *grad : at::Tensor(), retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt,
                          create_graph != 0));
}
LRNN_API int32_t lrnn_grad_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
LRNN_API int32_t lrnn_set_grad_enabled(int32_t enabled) { LRNN_STATUS(at::GradMode::set_enabled(enabled != 0)); }

// Replaces the accumulated gradient; nullptr drops it (zero_grad with set_to_none). libtorch's mutable_grad()
// checks nothing, so the checks PyTorch's `x.grad = g` makes are made here.
LRNN_API int32_t lrnn_set_grad(tensor_t t, tensor_t grad /* nullable */) {
  LRNN_STATUS({
    if (grad != nullptr) {
      LRNN_REQUIRE(grad->sizes() == t->sizes(), "the gradient's shape must match the tensor's");
      LRNN_REQUIRE(grad->scalar_type() == t->scalar_type(), "the gradient's dtype must match the tensor's");
      LRNN_REQUIRE(grad->device() == t->device(), "the gradient's device must match the tensor's");
    }
    t->mutable_grad() = grad ? *grad : at::Tensor();
  });
}
LRNN_API int32_t lrnn_retain_grad(tensor_t t) { LRNN_STATUS(t->retain_grad()); }
LRNN_API int32_t lrnn_retains_grad(tensor_t t) { LRNN_VALUE(-1, t->retains_grad() ? 1 : 0); }
LRNN_API int32_t lrnn_is_inference(tensor_t t) { LRNN_VALUE(-1, t->is_inference() ? 1 : 0); }

// torch.autograd.grad: d(outputs)/d(inputs), weighted by grad_outputs (entries may be nullptr for scalar
// outputs; the array itself may be nullptr). Writes one result per input; with allow_unused an input the
// outputs do not depend on gets nullptr. Returns the count.
LRNN_API int64_t lrnn_autograd_grad(tensor_t const* outputs, int64_t n_outputs, tensor_t const* inputs, int64_t n_inputs,
                                    tensor_t const* grad_outputs /* nullable, n_outputs entries */,
                                    int32_t retain_graph /* -1: same as create_graph */, int32_t create_graph,
                                    int32_t allow_unused, tensor_t* out, int64_t cap) {
  try {
    lrnn::clear_error();
    std::vector<at::Tensor> weights;
    if (grad_outputs != nullptr) {
      weights.reserve(static_cast<size_t>(n_outputs));
      for (int64_t k = 0; k < n_outputs; ++k) weights.push_back(grad_outputs[k] ? *grad_outputs[k] : at::Tensor());
    }
    auto grads = torch::autograd::grad(lrnn::tensors(outputs, n_outputs), lrnn::tensors(inputs, n_inputs), weights,
                                       retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0),
                                       create_graph != 0, allow_unused != 0);
    return lrnn::write_list(grads, out, cap);
  }
  LRNN_CATCH(-1)
}

// Inference mode is an RAII guard over thread-local state: the C# `using` block owns one on the heap and
// must free it on the thread that created it, in reverse order of creation.
LRNN_API c10::InferenceMode* lrnn_inference_mode_enter(int32_t enabled) {
  try {
    lrnn::clear_error();
    return new c10::InferenceMode(enabled != 0);
  }
  LRNN_CATCH(nullptr)
}
LRNN_API void lrnn_inference_mode_exit(c10::InferenceMode* guard) { delete guard; }
LRNN_API int32_t lrnn_inference_mode_enabled() { return c10::InferenceMode::is_enabled() ? 1 : 0; }
