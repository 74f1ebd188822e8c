// S4D's convolution kernel from its diagonal modes in one launch: K[r, h, l] = Re Σ_n w[r, h, n]·λ[h, n]^l, l < L,
// plus an optional term at l = 0 (S4D's D skip, which would otherwise take a pad and an add of the whole kernel).
// The ATen version (Lrnn's Vandermonde.RealModesToTime) is a dozen ops, each a launch and a trip through the binding,
// which at S4D's sizes cost more than the arithmetic; this kernel is the no-gradient path (inference, a prefill).
//
// The same factorisation as the ATen version, l = i·T + j: λ^l = exp(i·T·log λ)·exp(j·log λ), each factor exp of one
// product (never repeated products, whose rounding would drift the phase over long sequences). One block per (r, h)
// builds both factor tables in shared memory, w folded into the outer one, and each output is a dot product over n
// of a row of one table with a column of the other, keeping only the real part.
#include "device_math.cuh"
#include "launch.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace lrnn::kernels {
namespace {

constexpr int kBlock = 64;      // T: steps per inner block
constexpr int kThreads = 256;

__device__ __forceinline__ float2 cexp(float2 z) {
  float s, c;
  sincosf(z.y, &s, &c);
  const float m = expf(z.x);
  return make_float2(m * c, m * s);
}

// Each thread owns one j and the blocks i ≡ g (mod 4), g = threadIdx / 64, and accumulates its (up to 8) outputs
// together, so the loop over n carries 8 independent chains instead of one dependent one.
constexpr int kGroups = kThreads / kBlock;
constexpr int kOutputsPerThread = (launch::kMaxModesToTimeLength / kBlock + kGroups - 1) / kGroups;

__global__ void __launch_bounds__(kThreads) real_modes_to_time_kernel(const float2* __restrict__ w,
                                                                      const float2* __restrict__ log_lambda,
                                                                      const float* __restrict__ at_zero, int H, int N,
                                                                      int L, float* __restrict__ out) {
  extern __shared__ float2 tables[];
  const int blocks = (L + kBlock - 1) / kBlock;   // I
  float2* inner = tables;                         // inner[n·T + j] = exp(j·log λ_n)
  float2* outer = tables + N * kBlock;            // outer[i·N + n] = w_n·exp(i·T·log λ_n)
  const int64_t row = blockIdx.x;                 // r·H + h
  const int h = static_cast<int>(row % H);
  const float2* log_h = log_lambda + static_cast<int64_t>(h) * N;
  const float2* w_row = w + row * N;
  for (int e = threadIdx.x; e < N * kBlock; e += kThreads) {
    const float2 z = log_h[e / kBlock];
    const float j = static_cast<float>(e % kBlock);
    inner[e] = cexp(make_float2(j * z.x, j * z.y));
  }
  for (int e = threadIdx.x; e < blocks * N; e += kThreads) {
    const int n = e % N;
    const float2 z = log_h[n], a = w_row[n];
    const float step = static_cast<float>((e / N) * kBlock);
    const float2 p = cexp(make_float2(step * z.x, step * z.y));
    outer[e] = make_float2(a.x * p.x - a.y * p.y, a.x * p.y + a.y * p.x);
  }
  __syncthreads();
  // A warp shares its i's (broadcasts from outer) and reads consecutive j (conflict-free from inner).
  const int j = threadIdx.x % kBlock, g = threadIdx.x / kBlock;
  float acc[kOutputsPerThread] = {};
  for (int n = 0; n < N; ++n) {
    const float2 b = inner[n * kBlock + j];
#pragma unroll
    for (int q = 0; q < kOutputsPerThread; ++q) {
      const int i = g + kGroups * q;
      if (i < blocks) {
        const float2 a = outer[i * N + n];
        acc[q] = fmaf(a.x, b.x, fmaf(-a.y, b.y, acc[q]));
      }
    }
  }
#pragma unroll
  for (int q = 0; q < kOutputsPerThread; ++q) {
    const int l = (g + kGroups * q) * kBlock + j;
    if (l < L) out[row * L + l] = l == 0 && at_zero != nullptr ? acc[q] + at_zero[row] : acc[q];
  }
}

}  // namespace

namespace launch {

const char* real_modes_to_time(const void* weights, const void* log_lambda, const float* at_zero, int64_t rows,
                               int64_t H, int64_t N, int64_t L, float* out, void* stream) {
  if (rows < 1 || H < 1 || N < 1 || N > kMaxModes || L < 1 || L > kMaxModesToTimeLength)
    return "real_modes_to_time: sizes out of range";
  const int64_t blocks = rows * H;
  if (blocks > 0x7fffffffLL) return "real_modes_to_time: too many rows for one launch";
  const size_t shared = sizeof(float2) * (N * kBlock + ((L + kBlock - 1) / kBlock) * N);
  real_modes_to_time_kernel<<<dim3(static_cast<unsigned>(blocks)), dim3(kThreads), shared,
                              static_cast<cudaStream_t>(stream)>>>(
      static_cast<const float2*>(weights), static_cast<const float2*>(log_lambda), at_zero, static_cast<int>(H),
      static_cast<int>(N), static_cast<int>(L), out);
  return device::launch_status();
}

}  // namespace launch
}  // namespace lrnn::kernels
