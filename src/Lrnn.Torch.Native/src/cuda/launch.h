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

// selective_scan.cu: Mamba's selective scan (selective_scan.cpp states the recurrence) fused into one launch per
// direction. u, delta, delta_a, z, B, C and y share one dtype (Float32, BFloat16 or Float16) and take any strides;
// A (D, N), D_skip (D), delta_bias (D) and h0 (B, D, N) are contiguous float32 (D_skip, delta_bias, h0, delta_a, z:
// nullptr when absent). State and arithmetic are float32. N ≤ kSelectiveScanMaxState. The forward keeps the state
// entering every kSelectiveScanChunk steps in chunk_states (B, D, chunks, N) (nullptr: not kept, no backward), from
// which the backward recomputes what it needs.
constexpr int64_t kSelectiveScanMaxState = 16;
constexpr int64_t kSelectiveScanChunk = 64;
// Strides, in elements, of a (B, X, L) tensor.
struct StridesBXL {
  int64_t b, x, l;
};
struct SelectiveScanProblem {
  Scalar dtype;
  int32_t discretization;  // 0 mamba, 1 zoh, 2 bilinear, 3 dirac (selective_scan.cpp's order)
  bool softplus;
  int64_t batch, width, length, state;
  const void* u;
  StridesBXL u_s;
  const void* delta;
  StridesBXL delta_s;
  const void* delta_a;
  StridesBXL delta_a_s;
  const void* z;
  StridesBXL z_s;
  const void* B;
  StridesBXL B_s;
  const void* C;
  StridesBXL C_s;
  const float* A;
  const float* D_skip;
  const float* delta_bias;
  const float* h0;
  float* chunk_states;  // (B, D, chunks, N) contiguous
};
int64_t selective_scan_chunks(int64_t length);
// Forward: y (B, D, L) in the inputs' dtype with strides y_s; h_last (B, D, N) contiguous float32.
const char* selective_scan_forward(const SelectiveScanProblem& problem, void* y, StridesBXL y_s, float* h_last,
                                   void* stream);
// Backward from dL/dy (grad_y, the inputs' dtype, strides grad_y_s; nullptr: zero) and dL/dh_last (grad_last,
// (B, D, N) contiguous float32; nullptr: zero). Writes, in the inputs' dtype with the strides given: du, ddelta
// (of delta before bias and softplus), dz (when z), ddelta_a (when delta_a); in float32, contiguous: dB_part and
// dC_part (B, tiles, L, N) (the gradients of B and C summed over each tile's channels: their sum over tiles is the
// gradient), dA_part (B, D, N), dD_part (B, D), dbias_part (B, D) (summed over B they are the gradients), dh0
// (B, D, N) (nullptr: not written). Needs the forward's chunk_states.
struct SelectiveScanGrads {
  const void* grad_y;
  StridesBXL grad_y_s;
  const float* grad_last;
  void* du;
  StridesBXL du_s;
  void* ddelta;
  StridesBXL ddelta_s;
  void* dz;
  StridesBXL dz_s;
  void* ddelta_a;
  StridesBXL ddelta_a_s;
  float* dB_part;
  float* dC_part;
  float* dA_part;
  float* dD_part;
  float* dbias_part;
  float* dh0;
};
int64_t selective_scan_tiles(int64_t width, int64_t state);
const char* selective_scan_backward(const SelectiveScanProblem& problem, const SelectiveScanGrads& grads, void* stream);

}  // namespace lrnn::kernels::launch
