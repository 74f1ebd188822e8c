// Arithmetic shared by the kernels: one scan step h = a·h + b for real and complex element types (complex as a
// plain pair, since c10::complex would pull libtorch into nvcc), and 16-bit float loads widened to float.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace lrnn::kernels::device {

// What a launcher returns after its launches: nullptr, or the CUDA error they raised.
inline const char* launch_status() {
  const cudaError_t error = cudaGetLastError();
  return error == cudaSuccess ? nullptr : cudaGetErrorString(error);
}

template <typename R>
struct alignas(2 * sizeof(R)) Complex {
  R re, im;
};

// Real element types (float, double); a·h + b contracts to one FMA (nvcc's default --fmad=true).
template <typename T>
struct Ops {
  __device__ static T zero() { return T(0); }
  __device__ static T one() { return T(1); }
  __device__ static T step(T a, T h, T b) { return a * h + b; }
  __device__ static T mul(T a, T b) { return a * b; }
  __device__ static T maybe_conj(T a, bool) { return a; }
};

template <typename R>
struct Ops<Complex<R>> {
  using C = Complex<R>;
  __device__ static C zero() { return {R(0), R(0)}; }
  __device__ static C one() { return {R(1), R(0)}; }
  __device__ static C mul(C a, C b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
  __device__ static C step(C a, C h, C b) {
    const C p = mul(a, h);
    return {p.re + b.re, p.im + b.im};
  }
  __device__ static C maybe_conj(C a, bool conj) { return conj ? C{a.re, -a.im} : a; }
};

__device__ inline float widen(float x) { return x; }
__device__ inline float widen(__nv_bfloat16 x) { return __bfloat162float(x); }
__device__ inline float widen(__half x) { return __half2float(x); }

template <typename T>
__device__ T narrow_to(float x);
template <>
__device__ inline float narrow_to<float>(float x) { return x; }
template <>
__device__ inline __nv_bfloat16 narrow_to<__nv_bfloat16>(float x) { return __float2bfloat16(x); }
template <>
__device__ inline __half narrow_to<__half>(float x) { return __float2half(x); }

}  // namespace lrnn::kernels::device
