// fft_causal_conv: the full-sequence path of the S4-family blocks, one causal convolution per feature and channel,
//   v[b, t, c, h] = Σ_{s≤t} k[c, h, t−s] · u[b, s, h],   y = GELU^gelus(v),   u (B, L, H), k (C, H, K ≥ L) → y (B, L, C, H),
// by FFT at length 2L (zero padding turns the circular convolution into the linear one): O(L log L), no token loop.
// `gelus` (0, 1 or 2) exact GELUs on the output are the S4 block's two activations, fused here because on their own
// each is a full read and write of y.
//
// On CUDA (float32, L ≤ 2048) the forward is one hand-written kernel (cuda/fft_conv.cu): one read of u and one write
// of y in the model's features-innermost layout, the spectra kept on chip, the GELUs applied as y is written.
// Elsewhere it is the same arithmetic in ATen's transforms, which want time innermost: u is copied to (B, H, L), and
// v back to (B, L, C, H). Only u and k are saved: with GELUs, backward recomputes v (one more convolution, cheaper
// than keeping a (B, L, C, H) tensor alive between forward and backward).
//
// Backward (the adjoint of a convolution is the correlation with the same kernel; g = ∂L/∂v):
//   ∂L/∂u[b, s, h] = Σ_c Σ_{t≥s} k[c, h, t−s] · g[b, t, c, h]      (with C = 1 on CUDA: the kernel, run backwards in time)
//   ∂L/∂k[c, h, l] = Σ_b Σ_{t≥l} g[b, t, c, h] · u[b, t−l, h]        (ATen: rfft(g)·conj(rfft(u)), summed over b)
// Half-precision inputs are computed in float32 (kernels and transforms lose too much in bf16), float64 in float64.
#include "autograd_function.h"
#include "kernels.h"

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The ATen forward: u (B, L, H), k (C, H, L) in one real dtype → y (B, L, C, H) contiguous.
at::Tensor convolve_aten(const at::Tensor& u, const at::Tensor& k) {
  const auto length = u.size(1);
  const auto n = 2 * length;
  const auto spectrum = at::fft_rfft(u.transpose(1, 2).contiguous(), n, -1);                     // (B, H, F)
  // norm "forward" puts the 1/n on the small kernel spectrum, not on the whole output.
  const auto kernel_spectrum = at::fft_rfft(k, n, -1, c10::string_view("forward"));              // (C, H, F)
  const auto y = at::fft_irfft(spectrum.unsqueeze(1) * kernel_spectrum, n, -1, c10::string_view("forward"));  // (B, C, H, 2L)
  return y.narrow(-1, 0, length).permute({0, 3, 1, 2}).contiguous();                            // (B, L, C, H)
}

at::Tensor gelu_times(at::Tensor v, int64_t gelus) {
  for (int64_t i = 0; i < gelus; ++i) v = at::gelu(v);
  return v;
}

struct FftCausalConvFunction : torch::autograd::Function<FftCausalConvFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& u_in, const at::Tensor& k_in, int64_t gelus) {
    const auto acc = lrnn::autograd::compute_dtype(at::promote_types(u_in.scalar_type(), k_in.scalar_type()));
    const auto length = u_in.size(1);
    const auto u = u_in.to(acc);                                   // (B, L, H)
    const auto k = k_in.narrow(2, 0, length).to(acc);              // (C, H, L): taps beyond L never reach an output
    auto y = lrnn::kernels::fft_causal_conv(u, k, /*reverse=*/false, static_cast<int>(gelus));
    if (!y.defined()) y = gelu_times(convolve_aten(u, k), gelus);
    ctx->set_materialize_grads(false);
    ctx->saved_data["gelus"] = gelus;
    ctx->saved_data["u_dtype"] = static_cast<int64_t>(u_in.scalar_type());
    ctx->saved_data["k_dtype"] = static_cast<int64_t>(k_in.scalar_type());
    ctx->saved_data["taps"] = k_in.size(2);
    ctx->save_for_backward({u, k});
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto& grad_y = grad_outputs[0];
    if (!grad_y.defined()) return {at::Tensor(), at::Tensor(), at::Tensor()};
    const auto saved = ctx->get_saved_variables();
    const auto& u = saved[0];  // (B, L, H)
    const auto& k = saved[1];  // (C, H, L)
    const auto length = u.size(1);
    const auto n = 2 * length;
    // The kernel is not differentiable: under create_graph (grad mode on in backward) only ATen ops run.
    const bool kernels_allowed = !at::GradMode::is_enabled();
    auto g = grad_y.to(u.scalar_type());  // (B, L, C, H): ∂L/∂y, then ∂L/∂v
    const auto gelus = ctx->saved_data["gelus"].toInt();
    if (gelus > 0) {
      at::Tensor v = kernels_allowed ? lrnn::kernels::fft_causal_conv(u, k, /*reverse=*/false, 0) : at::Tensor();
      if (!v.defined()) v = convolve_aten(u, k);
      // Through the GELUs from the outside in: y = GELU(a), a = GELU(v) when there are two.
      if (gelus == 2) g = at::gelu_backward(g, at::gelu(v));
      g = at::gelu_backward(g, v);
    }
    at::Tensor g_spectrum;                       // (B, C, H, F), computed once for both gradients
    const auto spectrum_of_g = [&] {
      if (!g_spectrum.defined()) g_spectrum = at::fft_rfft(g.permute({0, 2, 3, 1}).contiguous(), n, -1);
      return g_spectrum;
    };

    at::Tensor grad_u, grad_k;
    if (ctx->needs_input_grad(0)) {
      if (k.size(0) == 1 && kernels_allowed) {
        const auto r = lrnn::kernels::fft_causal_conv(g.select(2, 0), k, /*reverse=*/true, 0);  // (B, L, 1, H)
        if (r.defined()) grad_u = r.select(2, 0);
      }
      if (!grad_u.defined()) {
        const auto kernel_spectrum = at::fft_rfft(k, n, -1);                                    // (C, H, F)
        const auto product = (spectrum_of_g() * kernel_spectrum.conj()).sum(1);                // (B, H, F)
        grad_u = at::fft_irfft(product, n, -1).narrow(-1, 0, length).transpose(1, 2);           // (B, L, H)
      }
      grad_u = grad_u.to(static_cast<at::ScalarType>(ctx->saved_data["u_dtype"].toInt()));
    }
    if (ctx->needs_input_grad(1)) {
      const auto u_spectrum = at::fft_rfft(u.transpose(1, 2).contiguous(), n, -1);              // (B, H, F)
      const auto product = (spectrum_of_g() * u_spectrum.conj().unsqueeze(1)).sum(0);          // (C, H, F)
      grad_k = at::fft_irfft(product, n, -1).narrow(-1, 0, length);                              // (C, H, L)
      const auto taps = ctx->saved_data["taps"].toInt();
      if (taps > length) grad_k = at::constant_pad_nd(grad_k, {0, taps - length});
      grad_k = grad_k.to(static_cast<at::ScalarType>(ctx->saved_data["k_dtype"].toInt()));
    }
    return {grad_u, grad_k, at::Tensor()};
  }
};

}  // namespace

LRNN_API tensor_t lrnn_fft_causal_conv(tensor_t u, tensor_t k, int32_t gelus) {
  try {
    lrnn::clear_error();
    LRNN_REQUIRE(u->dim() == 3 && k->dim() == 3 && k->size(1) == u->size(2) && u->size(1) >= 1 &&
                     k->size(2) >= u->size(1),
                 "fft_causal_conv: u must be (B, L ≥ 1, H) and k (C, H, K ≥ L); got u " + c10::str(u->sizes()) +
                     " and k " + c10::str(k->sizes()));
    LRNN_REQUIRE(at::isFloatingType(u->scalar_type()) && at::isFloatingType(k->scalar_type()),
                 std::string("fft_causal_conv: u and k must be real floating point; got ") +
                     c10::toString(u->scalar_type()) + " and " + c10::toString(k->scalar_type()));
    LRNN_REQUIRE(u->device() == k->device(), "fft_causal_conv: u is on " + u->device().str() + " but k is on " +
                                                 k->device().str());
    LRNN_REQUIRE(gelus >= 0 && gelus <= 2, "fft_causal_conv: gelus must be 0, 1 or 2, got " + std::to_string(gelus));
    return lrnn::wrap(FftCausalConvFunction::apply(*u, *k, static_cast<int64_t>(gelus)));
  }
  LRNN_CATCH(nullptr)
}
