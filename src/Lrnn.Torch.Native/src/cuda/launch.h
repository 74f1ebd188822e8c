// The hand-written CUDA kernels' launchers: plain C++ declarations, no libtorch and no CUDA headers, so that
// nvcc compiles the kernels (scan.cu, cross_entropy.cu, fft_conv.cu, vandermonde.cu) without libtorch's headers and
// the shim's C++ side (kernels.cpp) calls them with raw pointers, strides and the current stream. Every launcher returns nullptr,
// or a static error message (a launch or configuration error), which the caller turns into an exception.
#pragma once
#include <cstdint>

namespace lrnn::kernels::launch {

enum class Scalar : int32_t { Float32, Float64, Complex64, Complex128, BFloat16, Float16 };

// Strides, in elements, of a tensor viewed as (P, L, Q): the dimensions before the scanned one, the scanned one,
// and those after it, each group collapsed to one stride.
struct Strides3 {
  int64_t p, l, q;
};

// h_t = a_t ⊙ h_{t∓1} + b_t along L for every (p, q), from h_init (nullptr: zero); the last state computed is
// written to `last` (contiguous (P, Q)). a, b, out, h_init and last share one dtype (Float32…Complex128). out may
// alias b (each element is read before it is written). `conj_a` reads conj(a) (a conjugate view).
struct ScanProblem {
  Scalar dtype;
  int64_t P, L, Q;
  const void* a;
  Strides3 a_strides;
  const void* b;
  Strides3 b_strides;
  void* out;
  Strides3 out_strides;
  const void* h_init;      // (P, Q) with strides h_init_p, h_init_q, or nullptr
  int64_t h_init_p, h_init_q;
  void* last;              // (P, Q) contiguous
  bool reverse;
  bool conj_a;
  int32_t multiprocessors;  // of the device: sizes the chunking
};

// Scratch the scan needs (bytes), for the caller to allocate on the device (the caching allocator's memory).
int64_t linear_scan_workspace_bytes(const ScanProblem& problem);
const char* linear_scan(const ScanProblem& problem, void* workspace, void* stream);

// Row statistics of logits z (rows, cols) with row stride `ld` (Float32, BFloat16 or Float16), in float32:
//   lse[r] = log Σ_c exp z[r, c];  row_sum[r] = Σ_c z[r, c] (nullptr: not computed);
//   target[r] = z[r, labels[r] − label_offset] when that column is in this block, else left as it was.
const char* row_logsumexp(Scalar dtype, const void* z, int64_t rows, int64_t cols, int64_t ld, const int64_t* labels,
                          int64_t label_offset, float* lse, float* target, float* row_sum, void* stream);

// The cross-entropy gradient of a block of logits z (rows, cols), written in z's dtype into g (row stride ld_g):
//   g[r, c] = exp(z[r, c] − lse[r])·coef[r] − shift[r] − (c + label_offset == labels[r] ? onehot[r] : 0).
const char* cross_entropy_grad(Scalar dtype, const void* z, int64_t rows, int64_t cols, int64_t ld_z, const float* lse,
                               const float* coef, const float* shift, const float* onehot, const int64_t* labels,
                               int64_t label_offset, void* g, int64_t ld_g, void* stream);

// The causal convolution of fft_conv.cu, in float32: y[b, t, c, h] = GELU^gelus(Σ_{s≤t} k[c, h, t−s]·u[b, s, h]), t < L,
// given the kernel spectrum khat = rfft(k, kFftConvLength) (unscaled: the kernel applies the 1/N), complex64 (C, H, kFftConvLength/2 + 1)
// contiguous. u and out take any strides (negative ones too: a time-reversed view computes a correlation).
// Needs 1 ≤ L ≤ kFftConvLength/2.
constexpr int64_t kFftConvLength = 4096;
struct FftConvProblem {
  int64_t B, L, C, H;
  const float* u;
  int64_t u_sb, u_st, u_sh;
  const void* khat;
  float* out;
  int64_t o_sb, o_st, o_sc, o_sh;
  int32_t gelus;   // the exact GELU applied this many times (0, 1 or 2) to each output
};
const char* fft_causal_conv(const FftConvProblem& problem, void* stream);

// vandermonde.cu: out[r, h, l] = Re Σ_n weights[r, h, n]·exp(l·log_lambda[h, n]) (+ at_zero[r, h] at l = 0) for l < L,
// float32 out (rows, H, L) contiguous from complex64 weights (rows, H, N) and log_lambda (H, N), both contiguous;
// at_zero: float32 (rows, H) contiguous, or null. N ≤ kMaxModes, L ≤ kMaxModesToTimeLength (the factor tables then
// fit in 48 KB of shared memory).
constexpr int64_t kMaxModes = 64;
constexpr int64_t kMaxModesToTimeLength = 2048;
const char* real_modes_to_time(const void* weights, const void* log_lambda, const float* at_zero, int64_t rows,
                               int64_t H, int64_t N, int64_t L, float* out, void* stream);

}  // namespace lrnn::kernels::launch
