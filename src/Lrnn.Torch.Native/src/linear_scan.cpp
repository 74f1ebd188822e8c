// linear_scan: h_t = a_t ⊙ h_{t−1} + b_t along one dimension, h_{−1} = h0 (or 0), with a hand-written backward.
//
// Autograd through a per-step formula records O(L) nodes and costs 10–40× the forward; the adjoint of a linear
// recurrence is itself a linear recurrence run backwards in time (Martin & Cundy, arXiv 1709.04057):
//   g_t = conj(a_{t+1}) ⊙ g_{t+1} + ∂L/∂h_t,   g_{L−1} = ∂L/∂h_{L−1} + ∂L/∂hLast,
//   ∂L/∂b_t = g_t,   ∂L/∂a_t = g_t ⊙ conj(h_{t−1}),   ∂L/∂h0 = conj(a_0) ⊙ g_0,
// so forward and backward share one chunked scan (scan_common.h). The conjugates are PyTorch's convention for
// complex gradients (the gradient of y = a·x with respect to x is conj(a)·∂L/∂y); for real a they vanish.
// Half-precision inputs accumulate in float32; the states are saved in that dtype for ∂L/∂a. The backward is
// written with out= kernels into preallocated buffers, so the op is differentiable once (no double backward).
#include "autograd_function.h"
#include "scan_common.h"

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The dtype the scan accumulates in: the promotion of a and b, float32 for the 16-bit float types.
at::ScalarType accumulation_dtype(const at::Tensor& a, const at::Tensor& b) {
  return lrnn::autograd::compute_dtype(at::promote_types(a.scalar_type(), b.scalar_type()));
}

// The dtype of the states returned: b's, complex when a is complex and b real.
at::ScalarType state_dtype(const at::Tensor& a, const at::Tensor& b) {
  return a.is_complex() && !b.is_complex() ? at::promote_types(a.scalar_type(), b.scalar_type()) : b.scalar_type();
}

// A gradient computed at the states' full shape in the accumulation dtype, brought back to an input's shape
// (summed over broadcast dimensions) and dtype (real part for a real input of a complex scan).
at::Tensor fit_gradient(at::Tensor grad, at::IntArrayRef sizes, at::ScalarType dtype) {
  if (grad.is_complex() && !at::isComplexType(dtype)) grad = at::real(grad);
  return at::sum_to(grad, sizes).to(dtype);
}

struct LinearScanFunction : torch::autograd::Function<LinearScanFunction> {
  // a: broadcastable to b; b: (…, L, …) with time at `dim`; h0: b's shape without `dim`, or undefined.
  // Returns {h (b's shape), hLast (h0's shape)} in state_dtype(a, b).
  // h0 is an optional because libtorch's custom functions accept no undefined tensor arguments.
  static variable_list forward(AutogradContext* ctx, const at::Tensor& a, const at::Tensor& b,
                               const c10::optional<at::Tensor>& initial, int64_t dim) {
    const auto h0 = initial.value_or(at::Tensor());
    const auto acc = accumulation_dtype(a, b);
    const auto a_acc = a.to(acc).expand(b.sizes());                          // (…, L, …), a view when a is broadcast
    auto h = at::empty(b.sizes(), b.options().dtype(acc));                   // (…, L, …)
    const auto h_last = lrnn::scan::scan_into(a_acc, b.to(acc), h0.defined() ? h0.to(acc) : h0, h, dim,
                                              /*reverse=*/false);            // (…)
    ctx->set_materialize_grads(false);
    ctx->saved_data["dim"] = dim;
    ctx->saved_data["b_dtype"] = static_cast<int64_t>(b.scalar_type());
    ctx->save_for_backward({a, h0, h});
    const auto out = state_dtype(a, b);
    return {h.to(out), h_last.to(out)};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto& a = saved[0];
    const auto& h0 = saved[1];
    const auto& h = saved[2];  // (…, L, …) in the accumulation dtype
    const auto& grad_h = grad_outputs[0];
    const auto& grad_last = grad_outputs[1];
    if (!grad_h.defined() && !grad_last.defined()) return {at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};

    const auto dim = ctx->saved_data["dim"].toInt();
    const auto length = h.size(dim);
    const auto acc = h.scalar_type();
    const auto a_conj = a.to(acc).expand(h.sizes()).conj();  // (…, L, …)
    const auto dh = grad_h.defined() ? grad_h.to(acc) : at::zeros_like(h);

    // g = dL/dh in total, by the reverse scan: the last step first, then the others from it.
    auto g = at::empty_like(h);  // (…, L, …)
    auto g_last = g.select(dim, length - 1);
    if (grad_last.defined()) at::add_out(g_last, dh.select(dim, length - 1), grad_last.to(acc));
    else g_last.copy_(dh.select(dim, length - 1));
    if (length > 1) {
      auto g_rest = g.narrow(dim, 0, length - 1);
      lrnn::scan::scan_into(a_conj.narrow(dim, 1, length - 1), dh.narrow(dim, 0, length - 1), g_last, g_rest, dim,
                            /*reverse=*/true);
    }

    at::Tensor grad_a, grad_b, grad_h0;
    if (ctx->needs_input_grad(0)) {
      auto ga = at::empty_like(h);  // g_t ⊙ conj(h_{t−1})
      if (length > 1) {
        auto ga_rest = ga.narrow(dim, 1, length - 1);
        at::mul_out(ga_rest, g.narrow(dim, 1, length - 1), h.narrow(dim, 0, length - 1).conj());
      }
      auto ga_first = ga.select(dim, 0);
      if (h0.defined()) at::mul_out(ga_first, g.select(dim, 0), h0.to(acc).conj());
      else ga_first.zero_();
      grad_a = fit_gradient(ga, a.sizes(), a.scalar_type());
    }
    if (ctx->needs_input_grad(1))
      grad_b = fit_gradient(g, h.sizes(), static_cast<at::ScalarType>(ctx->saved_data["b_dtype"].toInt()));
    if (h0.defined() && ctx->needs_input_grad(2))
      grad_h0 = fit_gradient(a_conj.select(dim, 0) * g.select(dim, 0), h0.sizes(), h0.scalar_type());
    return {grad_a, grad_b, grad_h0, at::Tensor()};
  }
};

bool is_scan_dtype(const at::Tensor& t) {
  return at::isFloatingType(t.scalar_type()) || at::isComplexType(t.scalar_type());
}

}  // namespace

LRNN_API int32_t lrnn_linear_scan(tensor_t a, tensor_t b, tensor_t h0, int64_t dim, tensor_t* out_h,
                                  tensor_t* out_h_last) {
  try {
    lrnn::clear_error();
    *out_h = nullptr;
    *out_h_last = nullptr;
    LRNN_REQUIRE(b->dim() >= 1, "linear_scan: b must have a time dimension, got shape " + c10::str(b->sizes()));
    dim = c10::maybe_wrap_dim(dim, b->dim());
    LRNN_REQUIRE(b->size(dim) >= 1, "linear_scan: the time dimension of b is empty, shape " + c10::str(b->sizes()));
    LRNN_REQUIRE(at::is_expandable_to(a->sizes(), b->sizes()),
                 "linear_scan: a " + c10::str(a->sizes()) + " does not broadcast to b " + c10::str(b->sizes()));
    LRNN_REQUIRE(is_scan_dtype(*a) && is_scan_dtype(*b), "linear_scan: a and b must be floating point or complex");
    c10::optional<at::Tensor> initial;
    if (h0 != nullptr) {
      auto expected = b->sizes().vec();
      expected.erase(expected.begin() + dim);
      LRNN_REQUIRE(h0->sizes().vec() == expected, "linear_scan: h0 must have shape " + c10::str(at::IntArrayRef(expected)) +
                                                      " (b " + c10::str(b->sizes()) + " without dim " +
                                                      std::to_string(dim) + "), got " + c10::str(h0->sizes()));
      LRNN_REQUIRE(is_scan_dtype(*h0), "linear_scan: h0 must be floating point or complex");
      initial = *h0;
    }
    const auto result = LinearScanFunction::apply(*a, *b, initial, dim);
    *out_h = lrnn::wrap(result[0]);
    *out_h_last = lrnn::wrap(result[1]);
    return 0;
  }
  LRNN_CATCH(-1)
}
