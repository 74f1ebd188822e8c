// Shared pieces of the CPU kernels (cpu_kernels.h): the switch, instruction-set clones and a vectorisable exp.
#pragma once
#include <cstdint>
#include <cstring>

// Every hot loop is compiled three times (AVX-512, AVX2 and the baseline x86-64) and the loader picks the best one the
// machine has (GCC's function multi-versioning), so the shim needs no -march flag and runs anywhere. Only the function
// carrying the attribute and what it inlines is cloned: a lambda handed to at::parallel_for is not, so the attribute
// goes on the per-block function the lambda calls.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LRNN_CPU_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LRNN_CPU_CLONES
#endif

// The loops carry `#pragma omp simd` (with -fopenmp-simd: vectorisation hints only, no OpenMP runtime): the
// reductions over the state dimension need it, since strict IEEE order forbids reassociating them otherwise.
#define LRNN_PRAGMA(text) _Pragma(#text)
#define LRNN_SIMD LRNN_PRAGMA(omp simd)
#define LRNN_SIMD_REDUCE(...) LRNN_PRAGMA(omp simd reduction(+ : __VA_ARGS__))

namespace lrnn::cpu_kernels {

// e^x for float32 in straight-line arithmetic a compiler vectorises (std::exp is a library call it cannot): Cody–Waite
// reduction x = k·ln2 + r, |r| ≤ ln2/2, and Cephes' degree-6 polynomial for e^r (relative error ≈ 1e-7, within 2 ulp of
// std::exp); 0 below the float range and ∞ above it, as e^x rounds to there.
inline float exp_vectorisable(float x) {
  const float clamped = x < -87.3f ? -87.3f : (x > 88.0f ? 88.0f : x);
  const float shifter = 12582912.0f;  // 1.5·2^23: adding and subtracting it rounds to the nearest integer
  const float k = (clamped * 1.44269504088896341f + shifter) - shifter;
  const float r = (clamped - k * 0.693359375f) + k * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(k) + 127) << 23;  // 2^k
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  const float e = x > 88.0f ? __builtin_inff() : p * scale;
  return x < -87.3f ? 0.0f : e;
}

}  // namespace lrnn::cpu_kernels
