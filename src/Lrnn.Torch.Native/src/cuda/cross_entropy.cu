// The two row-wise passes of the fused linear cross-entropy over a block of logits, each one read of the logits:
//   row_logsumexp:      lse (and the row sum, for label smoothing, and the target logit) of every row, by an
//                       online max/sum-of-exponentials (Milakov & Gimelshein, arXiv 1805.02867);
//   cross_entropy_grad: g = softmax·coef − shift − onehot·[label], written straight in the GEMM dtype.
// With ATen ops the same arithmetic is 6–8 full passes over a float32 copy of the (rows, V) block; these read the
// 16-bit logits once and write the 16-bit gradient once, which is what keeps the fused loss near the speed of the
// materialised one (docs/heads-and-losses.md). Everything is accumulated in float32.
#include "device_math.cuh"
#include "launch.h"

#include <cfloat>
#include <cstdint>

namespace lrnn::kernels {
namespace {

using device::narrow_to;
using device::widen;
using launch::Scalar;

constexpr int kThreads = 256;

// Loads of Vec consecutive elements (16 bytes when Vec·sizeof(T) = 16, which the caller checks alignment for).
template <typename T, int Vec>
struct alignas(sizeof(T) * Vec) Pack {
  T v[Vec];
};

struct Softmax {
  float max, sum;  // sum of exp(z − max)
};

__device__ inline Softmax merge(Softmax x, Softmax y) {
  if (x.max == -INFINITY) return y;
  if (y.max == -INFINITY) return x;
  const float m = fmaxf(x.max, y.max);
  return {m, x.sum * expf(x.max - m) + y.sum * expf(y.max - m)};
}

__device__ inline void add(Softmax& s, float z) {
  if (z == -INFINITY) return;
  if (z > s.max) {
    s.sum = s.sum * expf(s.max - z) + 1.f;
    s.max = z;
  } else {
    s.sum += expf(z - s.max);
  }
}

template <typename T, int Vec>
__global__ void __launch_bounds__(kThreads) row_logsumexp_kernel(const T* z, int64_t rows, int64_t cols, int64_t ld,
                                                                 const int64_t* labels, int64_t label_offset,
                                                                 float* lse, float* target, float* row_sum) {
  __shared__ Softmax shared_softmax[kThreads / 32];
  __shared__ float shared_sum[kThreads / 32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* row = z + r * ld;
    Softmax s{-INFINITY, 0.f};
    float total = 0.f;
    for (int64_t c = int64_t(threadIdx.x) * Vec; c < cols; c += int64_t(kThreads) * Vec) {
      const auto pack = *reinterpret_cast<const Pack<T, Vec>*>(row + c);
#pragma unroll
      for (int j = 0; j < Vec; ++j) {
        const float x = widen(pack.v[j]);
        add(s, x);
        total += x;
      }
    }
    for (int offset = 16; offset > 0; offset /= 2) {
      const Softmax other{__shfl_xor_sync(0xffffffffu, s.max, offset), __shfl_xor_sync(0xffffffffu, s.sum, offset)};
      s = merge(s, other);
      total += __shfl_xor_sync(0xffffffffu, total, offset);
    }
    if (lane == 0) {
      shared_softmax[warp] = s;
      shared_sum[warp] = total;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      Softmax all = shared_softmax[0];
      float sum = shared_sum[0];
      for (int w = 1; w < kThreads / 32; ++w) {
        all = merge(all, shared_softmax[w]);
        sum += shared_sum[w];
      }
      lse[r] = all.max == -INFINITY ? -INFINITY : all.max + logf(all.sum);
      if (row_sum != nullptr) row_sum[r] = sum;
      const int64_t column = labels[r] - label_offset;
      if (column >= 0 && column < cols) target[r] = widen(row[column]);
    }
    __syncthreads();  // the shared slots are reused by the next row
  }
}

template <typename T, int Vec>
__global__ void __launch_bounds__(kThreads) cross_entropy_grad_kernel(const T* z, int64_t rows, int64_t cols,
                                                                      int64_t ld_z, const float* lse, const float* coef,
                                                                      const float* shift, const float* onehot,
                                                                      const int64_t* labels, int64_t label_offset,
                                                                      T* g, int64_t ld_g) {
  const int64_t c = (blockIdx.x * int64_t(kThreads) + threadIdx.x) * Vec;
  if (c >= cols) return;
  for (int64_t r = blockIdx.y; r < rows; r += gridDim.y) {
    const float m = lse[r], k = coef[r], sh = shift[r], hot = onehot[r];
    const int64_t column = labels[r] - label_offset;
    const auto in = *reinterpret_cast<const Pack<T, Vec>*>(z + r * ld_z + c);
    Pack<T, Vec> out;
#pragma unroll
    for (int j = 0; j < Vec; ++j) {
      float v = expf(widen(in.v[j]) - m) * k - sh;
      if (c + j == column) v -= hot;
      out.v[j] = narrow_to<T>(v);
    }
    *reinterpret_cast<Pack<T, Vec>*>(g + r * ld_g + c) = out;
  }
}

bool aligned(const void* p, int64_t bytes) { return reinterpret_cast<uintptr_t>(p) % static_cast<uintptr_t>(bytes) == 0; }

// 16-byte packs when every row starts on a 16-byte boundary and the row length is a whole number of packs.
template <typename T>
bool vectorizable(const void* a, int64_t lda, const void* b, int64_t ldb, int64_t cols) {
  constexpr int64_t vec = 16 / sizeof(T);
  return cols % vec == 0 && lda % vec == 0 && ldb % vec == 0 && aligned(a, 16) && aligned(b, 16);
}


int grid_rows(int64_t rows) { return static_cast<int>(rows < 65535 ? rows : 65535); }

template <typename T>
const char* lse_for(const void* z, int64_t rows, int64_t cols, int64_t ld, const int64_t* labels, int64_t offset,
                    float* lse, float* target, float* row_sum, cudaStream_t stream) {
  constexpr int vec = 16 / sizeof(T);
  const auto* p = static_cast<const T*>(z);
  if (vectorizable<T>(z, ld, z, ld, cols))
    row_logsumexp_kernel<T, vec><<<grid_rows(rows), kThreads, 0, stream>>>(p, rows, cols, ld, labels, offset, lse, target, row_sum);
  else
    row_logsumexp_kernel<T, 1><<<grid_rows(rows), kThreads, 0, stream>>>(p, rows, cols, ld, labels, offset, lse, target, row_sum);
  return device::launch_status();
}

template <typename T>
const char* grad_for(const void* z, int64_t rows, int64_t cols, int64_t ld_z, const float* lse, const float* coef,
                     const float* shift, const float* onehot, const int64_t* labels, int64_t offset, void* g,
                     int64_t ld_g, cudaStream_t stream) {
  constexpr int vec = 16 / sizeof(T);
  const auto* in = static_cast<const T*>(z);
  auto* out = static_cast<T*>(g);
  if (vectorizable<T>(z, ld_z, g, ld_g, cols)) {
    const dim3 grid(static_cast<unsigned>((cols / vec + kThreads - 1) / kThreads), grid_rows(rows));
    cross_entropy_grad_kernel<T, vec><<<grid, kThreads, 0, stream>>>(in, rows, cols, ld_z, lse, coef, shift, onehot, labels, offset, out, ld_g);
  } else {
    const dim3 grid(static_cast<unsigned>((cols + kThreads - 1) / kThreads), grid_rows(rows));
    cross_entropy_grad_kernel<T, 1><<<grid, kThreads, 0, stream>>>(in, rows, cols, ld_z, lse, coef, shift, onehot, labels, offset, out, ld_g);
  }
  return device::launch_status();
}

}  // namespace

namespace launch {

const char* row_logsumexp(Scalar dtype, const void* z, int64_t rows, int64_t cols, int64_t ld, const int64_t* labels,
                          int64_t label_offset, float* lse, float* target, float* row_sum, void* stream) {
  if (rows == 0) return nullptr;
  const auto s = static_cast<cudaStream_t>(stream);
  switch (dtype) {
    case Scalar::Float32: return lse_for<float>(z, rows, cols, ld, labels, label_offset, lse, target, row_sum, s);
    case Scalar::BFloat16: return lse_for<__nv_bfloat16>(z, rows, cols, ld, labels, label_offset, lse, target, row_sum, s);
    case Scalar::Float16: return lse_for<__half>(z, rows, cols, ld, labels, label_offset, lse, target, row_sum, s);
    default: return "row_logsumexp: unsupported dtype for the CUDA kernel";
  }
}

const char* cross_entropy_grad(Scalar dtype, const void* z, int64_t rows, int64_t cols, int64_t ld_z, const float* lse,
                               const float* coef, const float* shift, const float* onehot, const int64_t* labels,
                               int64_t label_offset, void* g, int64_t ld_g, void* stream) {
  if (rows == 0 || cols == 0) return nullptr;
  const auto s = static_cast<cudaStream_t>(stream);
  switch (dtype) {
    case Scalar::Float32:
      return grad_for<float>(z, rows, cols, ld_z, lse, coef, shift, onehot, labels, label_offset, g, ld_g, s);
    case Scalar::BFloat16:
      return grad_for<__nv_bfloat16>(z, rows, cols, ld_z, lse, coef, shift, onehot, labels, label_offset, g, ld_g, s);
    case Scalar::Float16:
      return grad_for<__half>(z, rows, cols, ld_z, lse, coef, shift, onehot, labels, label_offset, g, ld_g, s);
    default: return "cross_entropy_grad: unsupported dtype for the CUDA kernel";
  }
}

}  // namespace launch
}  // namespace lrnn::kernels
