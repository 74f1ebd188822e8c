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
    ctx->save_for_backward({u, delta, A, B, C, in.D, in.z, in.delta_bias, in.h0, in.delta_a, states});
    return {y, h_last};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto s = ctx->get_saved_variables();
    const lrnn::kernels::SelectiveScanInputs in{s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9],
                                                ctx->saved_data["softplus"].toInt() != 0,
                                                ctx->saved_data["mode"].toInt()};
    lrnn::kernels::SelectiveScanGradients g;
    TORCH_CHECK(lrnn::kernels::selective_scan_backward(in, s[10], grad_outputs[0], grad_outputs[1], g),
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
