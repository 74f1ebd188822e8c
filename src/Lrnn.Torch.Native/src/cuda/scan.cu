// linear_scan on CUDA: h_t = a_t ⊙ h_{t∓1} + b_t along L of (P, L, Q) strided tensors, in two launches.
//
// The ATen version (scan_common.h) is a two-level block scan of O(√L) launches of small elementwise kernels: at
// (B=8, L=2048, D=1536) it is launch-bound at ~12× the memory-copy floor. Here each thread owns one channel (p, q)
// over one chunk of time and keeps its state in a register:
//   1. summaries: per (chunk, channel), the chunk's end state from zero, s, and its decay product, d = Π a;
//   2. apply: per (chunk, channel), the state entering the chunk, c = h_init folded through the earlier chunks'
//      (d, s) pairs (c ← d·c + s), then the chunk's steps from c, each state written out.
// Threads of a warp take neighbouring q, so every load and store is coalesced when q is the contiguous dimension.
// a and b are read twice and h written once: ~5/3 of the copy floor's bytes. Chunks are sized so that the device
// is full (one thread per resident slot) but no chunk is shorter than kMinChunk steps; with one chunk the
// summaries pass is skipped. No division anywhere, so decays of exactly 0 (a reset) and complex decays are exact.
#include "device_math.cuh"
#include "launch.h"

#include <algorithm>

namespace lrnn::kernels {
namespace {

using launch::ScanProblem;
using launch::Strides3;

constexpr int kThreads = 256;
constexpr int64_t kMinChunk = 32;
constexpr int kBatch = 8;  // steps whose loads are issued together, ahead of the dependent arithmetic

struct Chunking {
  int64_t chunks, length;
};

Chunking chunking(const ScanProblem& p) {
  const int64_t channels = p.P * p.Q;
  const int64_t resident = static_cast<int64_t>(std::max(p.multiprocessors, 1)) * 2048;
  const int64_t by_occupancy = (resident + channels - 1) / channels;
  const int64_t by_length = (p.L + kMinChunk - 1) / kMinChunk;
  int64_t chunks = std::max<int64_t>(1, std::min(by_occupancy, by_length));
  const int64_t length = (p.L + chunks - 1) / chunks;
  chunks = (p.L + length - 1) / length;
  return {chunks, length};
}

template <typename T>
struct Args {
  const T* a;
  const T* b;
  T* out;
  const T* h_init;
  T* last;
  T* state;  // (chunks, P·Q) chunk end states from zero
  T* decay;  // (chunks, P·Q) chunk decay products
  Strides3 as, bs, os;
  int64_t hp, hq;
  int64_t P, L, Q, chunks, chunk_length;
  bool reverse, conj_a;
};

// Runs steps [k0, k1) (in scan order) of one channel from h, writing each state when `write`.
template <typename T, bool Write>
__device__ T run_steps(const Args<T>& p, int64_t a_base, int64_t b_base, int64_t o_base, int64_t k0, int64_t k1, T h,
                       T* decay_product) {
  using O = device::Ops<T>;
  T d = O::one();
  const auto time = [&](int64_t k) { return p.reverse ? p.L - 1 - k : k; };
  int64_t k = k0;
  for (; k + kBatch <= k1; k += kBatch) {
    T av[kBatch], bv[kBatch];
#pragma unroll
    for (int j = 0; j < kBatch; ++j) {
      const int64_t t = time(k + j);
      av[j] = O::maybe_conj(p.a[a_base + t * p.as.l], p.conj_a);
      bv[j] = p.b[b_base + t * p.bs.l];
    }
#pragma unroll
    for (int j = 0; j < kBatch; ++j) {
      h = O::step(av[j], h, bv[j]);
      if (Write) p.out[o_base + time(k + j) * p.os.l] = h;
      else d = O::mul(av[j], d);
    }
  }
  for (; k < k1; ++k) {
    const int64_t t = time(k);
    const T at = O::maybe_conj(p.a[a_base + t * p.as.l], p.conj_a);
    h = O::step(at, h, p.b[b_base + t * p.bs.l]);
    if (Write) p.out[o_base + t * p.os.l] = h;
    else d = O::mul(at, d);
  }
  if (!Write) *decay_product = d;
  return h;
}

template <typename T>
__global__ void __launch_bounds__(kThreads) scan_summaries(Args<T> p) {
  const int64_t channels = p.P * p.Q;
  const int64_t total = p.chunks * channels;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total; idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t chunk = idx / channels, pq = idx - chunk * channels;
    const int64_t pp = pq / p.Q, qq = pq - pp * p.Q;
    const int64_t k0 = chunk * p.chunk_length, k1 = min(k0 + p.chunk_length, p.L);
    T d;
    p.state[idx] = run_steps<T, false>(p, pp * p.as.p + qq * p.as.q, pp * p.bs.p + qq * p.bs.q, 0, k0, k1,
                                       device::Ops<T>::zero(), &d);
    p.decay[idx] = d;
  }
}

template <typename T>
__global__ void __launch_bounds__(kThreads) scan_apply(Args<T> p) {
  using O = device::Ops<T>;
  const int64_t channels = p.P * p.Q;
  const int64_t total = p.chunks * channels;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total; idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t chunk = idx / channels, pq = idx - chunk * channels;
    const int64_t pp = pq / p.Q, qq = pq - pp * p.Q;
    T h = p.h_init != nullptr ? p.h_init[pp * p.hp + qq * p.hq] : O::zero();
    for (int64_t i = 0; i < chunk; ++i) h = O::step(p.decay[i * channels + pq], h, p.state[i * channels + pq]);
    const int64_t k0 = chunk * p.chunk_length, k1 = min(k0 + p.chunk_length, p.L);
    h = run_steps<T, true>(p, pp * p.as.p + qq * p.as.q, pp * p.bs.p + qq * p.bs.q, pp * p.os.p + qq * p.os.q, k0, k1,
                           h, nullptr);
    if (chunk == p.chunks - 1) p.last[pq] = h;
  }
}

int64_t blocks_for(int64_t total) {
  return std::max<int64_t>(1, std::min<int64_t>((total + kThreads - 1) / kThreads, int64_t(1) << 30));
}

template <typename T>
const char* run(const ScanProblem& problem, void* workspace, cudaStream_t stream) {
  const auto c = chunking(problem);
  const int64_t channels = problem.P * problem.Q;
  Args<T> args{static_cast<const T*>(problem.a), static_cast<const T*>(problem.b), static_cast<T*>(problem.out),
               static_cast<const T*>(problem.h_init), static_cast<T*>(problem.last), nullptr, nullptr,
               problem.a_strides, problem.b_strides, problem.out_strides, problem.h_init_p, problem.h_init_q,
               problem.P, problem.L, problem.Q, c.chunks, c.length, problem.reverse, problem.conj_a};
  if (c.chunks > 1) {
    args.state = static_cast<T*>(workspace);
    args.decay = args.state + c.chunks * channels;
    scan_summaries<T><<<blocks_for(c.chunks * channels), kThreads, 0, stream>>>(args);
  }
  scan_apply<T><<<blocks_for(c.chunks * channels), kThreads, 0, stream>>>(args);
  return device::launch_status();
}

int64_t element_bytes(launch::Scalar s) {
  switch (s) {
    case launch::Scalar::Float32: return 4;
    case launch::Scalar::Float64: return 8;
    case launch::Scalar::Complex64: return 8;
    case launch::Scalar::Complex128: return 16;
    default: return 0;
  }
}

}  // namespace

namespace launch {

int64_t linear_scan_workspace_bytes(const ScanProblem& problem) {
  const auto c = chunking(problem);
  return c.chunks > 1 ? 2 * c.chunks * problem.P * problem.Q * element_bytes(problem.dtype) : 0;
}

const char* linear_scan(const ScanProblem& problem, void* workspace, void* stream) {
  if (problem.P * problem.Q == 0 || problem.L == 0) return nullptr;
  const auto s = static_cast<cudaStream_t>(stream);
  switch (problem.dtype) {
    case Scalar::Float32: return run<float>(problem, workspace, s);
    case Scalar::Float64: return run<double>(problem, workspace, s);
    case Scalar::Complex64: return run<device::Complex<float>>(problem, workspace, s);
    case Scalar::Complex128: return run<device::Complex<double>>(problem, workspace, s);
    default: return "linear_scan: unsupported dtype for the CUDA kernel";
  }
}

}  // namespace launch
}  // namespace lrnn::kernels
