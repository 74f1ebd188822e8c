// The fused CUDA selective scan as an autograd node: its forward keeps only the kernel's chunk states (B, D, L/64, N)
// besides the inputs, and its backward is the backward kernel. Without a gradient to record (inference, prefill) the
// forward runs alone and keeps nothing.
#include "selective_scan_fused.h"

#include <torch/csrc/autograd/autograd.h>

#include "autograd_function.h"
#include "kernels.h"

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

at::Tensor value(const c10::optional<at::Tensor>& t) { return t.value_or(at::Tensor()); }
c10::optional<at::Tensor> optional(const at::Tensor& t) { return t.defined() ? c10::optional<at::Tensor>(t) : c10::nullopt; }

struct FusedSelectiveScanFunction : torch::autograd::Function<FusedSelectiveScanFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& u, const at::Tensor& delta, const at::Tensor& A,
                               const at::Tensor& B, const at::Tensor& C, const c10::optional<at::Tensor>& D,
                               const c10::optional<at::Tensor>& z, const c10::optional<at::Tensor>& delta_bias,
                               const c10::optional<at::Tensor>& h0, const c10::optional<at::Tensor>& delta_a,
                               int64_t softplus, int64_t mode) {
    const lrnn::kernels::SelectiveScanInputs in{u,           delta,     A,           B,    C, value(D), value(z),
                                                value(delta_bias), value(h0), value(delta_a), softplus != 0, mode};
    at::Tensor y, h_last, states;
    TORCH_CHECK(lrnn::kernels::selective_scan_forward(in, /*keep_states=*/true, y, h_last, states),
                "selective_scan: the CUDA kernel declined inputs it had accepted");
    ctx->set_materialize_grads(false);
    ctx->saved_data["softplus"] = softplus;
    ctx->saved_data["mode"] = mode;
    // h0 is not kept: the chunk states hold it, and a decode cache's state, updated in place after the forward,
    // must not fail the backward's version check. Its dtype is enough (the dtype of its gradient).
    ctx->saved_data["h0_dtype"] = in.h0.defined() ? static_cast<int64_t>(in.h0.scalar_type()) : int64_t{-1};
    ctx->save_for_backward({u, delta, A, B, C, in.D, in.z, in.delta_bias, in.delta_a, states});
    return {y, h_last};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto s = ctx->get_saved_variables();
    const auto h0_dtype = ctx->saved_data["h0_dtype"].toInt();
    // The backward reads no h0: an empty tensor of its dtype says that it was given.
    const auto h0 = h0_dtype < 0 ? at::Tensor() : at::empty({0}, s[0].options().dtype(static_cast<at::ScalarType>(h0_dtype)));
    const lrnn::kernels::SelectiveScanInputs in{s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], h0, s[8],
                                                ctx->saved_data["softplus"].toInt() != 0,
                                                ctx->saved_data["mode"].toInt()};
    lrnn::kernels::SelectiveScanGradients g;
    TORCH_CHECK(lrnn::kernels::selective_scan_backward(in, s[9], grad_outputs[0], grad_outputs[1], g),
                "selective_scan: the CUDA backward kernel declined the forward's inputs");
    return {g.u, g.delta, g.A, g.B, g.C, g.D, g.z, g.delta_bias, g.h0, g.delta_a, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

namespace lrnn {

bool fused_selective_scan(const at::Tensor& u, const at::Tensor& delta, const at::Tensor& A, const at::Tensor& B,
                          const at::Tensor& C, const at::Tensor& D, const at::Tensor& z, const at::Tensor& delta_bias,
                          bool softplus, const at::Tensor& h0, const at::Tensor& delta_a, int64_t mode, at::Tensor& y,
                          at::Tensor& h_last) {
  const kernels::SelectiveScanInputs in{u, delta, A, B, C, D, z, delta_bias, h0, delta_a, softplus, mode};
  if (!kernels::selective_scan_applies(in)) return false;
  bool record = false;
  if (at::GradMode::is_enabled())
    for (const auto* t : {&u, &delta, &A, &B, &C, &D, &z, &delta_bias, &h0, &delta_a})
      record = record || (t->defined() && t->requires_grad());
  if (!record) {
    at::Tensor states;
    return kernels::selective_scan_forward(in, /*keep_states=*/false, y, h_last, states);
  }
  auto result = FusedSelectiveScanFunction::apply(u, delta, A, B, C, optional(D), optional(z), optional(delta_bias),
                                                  optional(h0), optional(delta_a), softplus ? 1 : 0, mode);
  y = result[0];
  h_last = result[1];
  return true;
}

}  // namespace lrnn
