// The hand-written CUDA kernels (src/cuda/*.cu), seen from the ATen side. Each entry point takes tensors, runs the
// kernel on the current CUDA stream and returns true, or returns false without touching anything when the kernel
// does not apply (a CPU tensor, a dtype or layout it does not take, a build without nvcc, or
// LRNN_CUDA_KERNELS=0 in the environment), so the caller runs its ATen version instead. The ATen versions stay the
// reference: every kernel computes the same function, and the tests run both (docs/scans.md).
#pragma once
#include "common.h"

namespace lrnn::kernels {

// Whether this build has the kernels and the environment allows them (read once).
bool enabled();

// scan_common.h's scan_into on CUDA. a, b: out's shape (views fine, a may be a conjugate view); h_init: out's shape
// without `dim`, or undefined; out: the accumulation dtype (float32/64, complex64/128). On success `last` is the
// last state computed (a new tensor).
bool linear_scan(const at::Tensor& a, const at::Tensor& b, const at::Tensor& h_init, at::Tensor& out, int64_t dim,
                 bool reverse, at::Tensor& last);

// Over logits z (rows, cols) (float32/bfloat16/float16, unit column stride): lse (rows) float32, target (rows) the
// logit at labels − label_offset where that column is in z (others untouched), row_sum (rows) or undefined.
bool row_logsumexp(const at::Tensor& z, const at::Tensor& labels, int64_t label_offset, at::Tensor& lse,
                   at::Tensor& target, const at::Tensor& row_sum);

// g (rows, cols) in z's dtype: exp(z − lse)·coef − shift − onehot·[column + label_offset == label]; lse, coef,
// shift, onehot (rows) float32.
bool cross_entropy_grad(const at::Tensor& z, const at::Tensor& lse, const at::Tensor& coef, const at::Tensor& shift,
                        const at::Tensor& onehot, const at::Tensor& labels, int64_t label_offset, at::Tensor& g);

// The causal convolution y[b, t, c, h] = GELU^gelus(Σ_{s≤t} k[c, h, t−s]·u[b, s, h]) for t < L (fft_conv.cu), float32
// on CUDA, L ≤ 2048: u (B, L, H) with any strides and k (C, H, ≥ L) taps (the kernel spectrum is computed here) →
// y (B, L, C, H) contiguous, or an undefined tensor when the kernel does not apply. `reverse` runs time backwards in u
// and y: the correlation y[s] = Σ_{t≥s} k[t−s]·u[t] (the input gradient). gelus: 0, 1 or 2 exact GELUs on the output.
at::Tensor fft_causal_conv(const at::Tensor& u, const at::Tensor& k, bool reverse, int gelus);

// Re Σ_n w[..., h, n]·exp(l·log λ[h, n]) for l < length (vandermonde.cu): complex64 w (..., H, N) and log λ (H, N) on
// CUDA, N ≤ 64, length ≤ 2048 → (..., H, length) float32, or undefined when the kernel does not apply. Not
// differentiable: the caller takes this path only when no gradient is needed.
at::Tensor real_modes_to_time(const at::Tensor& w, const at::Tensor& log_lambda, int64_t length,
                              const at::Tensor& at_zero);

// Mamba's selective scan (selective_scan.cu), with selective_scan.cpp's arguments: u, delta, z, delta_a (B, D, L) and
// B, C (B, N, L) in one dtype (float32, bfloat16 or float16; any strides); A (D, N) real with N ≤ 16 and in a float
// dtype of at most 32 bits (so the ATen version too would accumulate in float32); D, delta_bias (D) and h0 (B, D, N)
// any real float dtype (used as float32). Undefined tensors are absent. mode: 0 mamba, 1 zoh, 2 bilinear, 3 dirac.
struct SelectiveScanInputs {
  at::Tensor u, delta, A, B, C, D, z, delta_bias, h0, delta_a;
  bool softplus;
  int64_t mode;
};
struct SelectiveScanGradients {
  at::Tensor u, delta, A, B, C, D, z, delta_bias, h0, delta_a;
};

// Whether the kernels take these inputs (everything else declines, as the entry points below do).
bool selective_scan_applies(const SelectiveScanInputs& in);

// y (B, D, L) in u's dtype, (B, L, D) in memory; h_last (B, D, N) float32; with keep_states, chunk_states, what the
// backward needs (else undefined).
bool selective_scan_forward(const SelectiveScanInputs& in, bool keep_states, at::Tensor& y, at::Tensor& h_last,
                            at::Tensor& chunk_states);

// Every input's gradient (undefined for the absent ones) from dL/dy and dL/dh_last (either may be undefined: zero).
// The backward does not read h0 (the chunk states hold it): any tensor of its dtype on the device stands for it.
bool selective_scan_backward(const SelectiveScanInputs& in, const at::Tensor& chunk_states, const at::Tensor& grad_y,
                             const at::Tensor& grad_last, SelectiveScanGradients& grads);

}  // namespace lrnn::kernels
