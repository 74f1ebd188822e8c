// selective_scan on CUDA: Mamba's selective scan (the recurrence is stated in selective_scan.cpp) with Δ's bias and
// softplus, the discretisation, the D skip and the SiLU(z) gate fused, one launch per direction. The design is
// mamba_ssm's selective_scan_fwd/bwd (Gu & Dao, "Mamba", 2023, section 3.3): the state lives in registers, only the
// state entering every kChunk steps is written out, and the backward recomputes the states it needs instead of
// reading a stored (B, D, L, N) tensor.
//
// Unlike mamba_ssm, whose blocks own one channel and split time across threads, a thread here owns one channel d of
// one sequence b and kStates of its N states, and walks time in order: Lrnn's tensors are time-major ((B, L, D) in
// memory), so the threads of a warp, on neighbouring channels, read neighbouring addresses at every step. The
// kLanes = ⌈N / kStates⌉ threads of a channel are neighbouring lanes; Σ_n C[n]·h[n] is a shuffle sum over them.
//
// Backward, per chunk of kChunk steps in reverse: from the chunk's saved entering state, one forward pass keeps the
// state entering every kRecompute steps (shared memory); then per kRecompute steps in reverse, their states and
// decays are recomputed into registers and the adjoint λ_t = ∂L/∂h_t runs back over them:
//   λ_t = C_t·gs_t + Ā_{t+1}·λ_{t+1},  ∂L/∂Ā_t = λ_t·h_{t−1},  ∂L/∂(B̄u)_t = λ_t,  gs_t = ∂L/∂(C·h)_t.
// The gradients of B and C sum over channels: a warp reduces its channels with a transposing shuffle (each lane ends
// with one of the 2·kStates sums), the block's warps meet in shared memory, and each block writes its sum to a
// per-tile slice that the caller sums (deterministic, no atomics). Per-channel sums over time (A, D, the bias) stay
// in registers until the end. Arithmetic and state are float32 for every input dtype.
#include "device_math.cuh"
#include "launch.h"

#include <algorithm>

namespace lrnn::kernels {
namespace {

using launch::SelectiveScanGrads;
using launch::SelectiveScanProblem;
using launch::StridesBXL;

constexpr int kThreads = 128;
constexpr int kWarps = kThreads / 32;
constexpr int kStates = 4;  // states per thread
constexpr int kSub = 8;     // steps whose loads are issued together, ahead of the dependent arithmetic
constexpr int kChunk = static_cast<int>(launch::kSelectiveScanChunk);
// Steps the backward recomputes into registers at a time: 4 keeps it at ~160 registers, so that 3 blocks fit an SM
// and a whole Mamba layer's channels (B = 8, D = 1536) run in one wave on an H200 (8 steps: 248 registers, 2 waves).
constexpr int kRecompute = 4;
constexpr int kRecomputes = kChunk / kRecompute;
constexpr int kMaxState = static_cast<int>(launch::kSelectiveScanMaxState);
constexpr unsigned kFull = 0xffffffffu;
static_assert(kChunk % kRecompute == 0 && kChunk % kSub == 0, "a chunk is whole sub-chunks");
static_assert(2 * kStates == 8, "the transposing warp sum scatters 8 values over 8 channels");

template <typename T>
__device__ inline float load(const void* p, int64_t i) {
  return device::widen(static_cast<const T*>(p)[i]);
}
template <typename T>
__device__ inline void store(void* p, int64_t i, float v) {
  static_cast<T*>(p)[i] = device::narrow_to<T>(v);
}
__device__ inline int64_t offset(const StridesBXL& s, int64_t b, int64_t x, int64_t l) {
  return b * s.b + x * s.x + l * s.l;
}

// PyTorch's softplus (β = 1, threshold 20) and the logistic function.
__device__ inline float softplus(float x) { return x > 20.f ? x : log1pf(expf(x)); }
__device__ inline float sigmoid(float x) { return 1.f / (1.f + expf(-x)); }

// The sum over the kLanes threads of one channel, in every one of them.
template <int kLanes>
__device__ inline float lane_sum(float v) {
#pragma unroll
  for (int o = 1; o < kLanes; o <<= 1) v += __shfl_xor_sync(kFull, v, o);
  return v;
}

// Ā = f(Δᴬ·A) and the factor β of B̄ = β·B, per discretisation (selective_scan.cpp's discretize).
struct Discrete {
  float a, beta;
};
__device__ inline Discrete discretize(int mode, float dt, float dta, float A) {
  const float x = dta * A;
  switch (mode) {
    case 0: return {expf(x), dt};                                                   // mamba
    case 1: return {expf(x), expm1f(dt * A) / A};                                   // zoh
    case 2: return {(1.f + 0.5f * x) / (1.f - 0.5f * x), dt / (1.f - 0.5f * dt * A)};  // bilinear
    default: return {expf(x), 1.f};                                                 // dirac
  }
}

// dĀ/dx (x = Δᴬ·A), dβ/dΔ and dβ/dA, given Ā and β.
struct Derivatives {
  float da_dx, dbeta_ddt, dbeta_dA;
};
__device__ inline Derivatives derivatives(int mode, float dt, float dta, float A, float a, float beta) {
  switch (mode) {
    case 0: return {a, 1.f, 0.f};
    case 1: {
      const float e = expf(dt * A);
      return {a, e, (dt * e - beta) / A};
    }
    case 2: {
      const float qa = 1.f / (1.f - 0.5f * dta * A), q = 1.f / (1.f - 0.5f * dt * A);
      return {qa * qa, q * q, 0.5f * dt * dt * q * q};
    }
    default: return {a, 0.f, 0.f};
  }
}

// One time step's inputs for one thread, widened to float32.
struct Step {
  float u, raw, dt, dta, z;  // raw = delta + bias (before softplus)
  float B[kStates], C[kStates];
};

template <typename T, bool kWithC>
__device__ inline void load_step(const SelectiveScanProblem& p, int64_t b, int64_t d, int64_t t, int g, float bias,
                                 Step& s) {
  s.u = load<T>(p.u, offset(p.u_s, b, d, t));
  s.raw = load<T>(p.delta, offset(p.delta_s, b, d, t)) + bias;
  s.dt = p.softplus ? softplus(s.raw) : s.raw;
  s.dta = p.delta_a != nullptr ? load<T>(p.delta_a, offset(p.delta_a_s, b, d, t)) : s.dt;
  s.z = p.z != nullptr ? load<T>(p.z, offset(p.z_s, b, d, t)) : 0.f;
#pragma unroll
  for (int k = 0; k < kStates; ++k) {
    const int64_t n = g * kStates + k;
    const bool valid = n < p.state;
    s.B[k] = valid ? load<T>(p.B, offset(p.B_s, b, n, t)) : 0.f;
    if (kWithC) s.C[k] = valid ? load<T>(p.C, offset(p.C_s, b, n, t)) : 0.f;
  }
}

// Where a thread works: sequence b, channel d (clamped into range: a thread past the last channel computes on the
// last one and writes nothing, so that every lane takes part in the shuffles), state group g.
struct Place {
  int64_t b, d;
  int g;
  bool active;
};
template <int kLanes>
__device__ inline Place place(const SelectiveScanProblem& p) {
  const int64_t d = int64_t(blockIdx.x) * (kThreads / kLanes) + threadIdx.x / kLanes;
  return {int64_t(blockIdx.y), d < p.width ? d : p.width - 1, int(threadIdx.x % kLanes), d < p.width};
}

// A and the state a thread starts from. States past N get A = −1, B = C = 0 and h = 0: they stay 0 and add nothing.
__device__ inline void load_state(const SelectiveScanProblem& p, const Place& at, const float* h0, float (&A)[kStates],
                                  float (&h)[kStates]) {
#pragma unroll
  for (int k = 0; k < kStates; ++k) {
    const int64_t n = at.g * kStates + k;
    const bool valid = n < p.state;
    A[k] = valid ? p.A[at.d * p.state + n] : -1.f;
    h[k] = valid && h0 != nullptr ? h0[(at.b * p.width + at.d) * p.state + n] : 0.f;
  }
}

__host__ __device__ inline int64_t chunks_of(int64_t length) { return (length + kChunk - 1) / kChunk; }

// (B, D, chunks, N) contiguous, the state entering chunk c.
__device__ inline int64_t chunk_state_index(const SelectiveScanProblem& p, const Place& at, int64_t chunks, int64_t c,
                                            int64_t n) {
  return ((at.b * p.width + at.d) * chunks + c) * p.state + n;
}

// Runs steps [t0, t0 + steps) from h (steps ≤ kSub), loads first, then the dependent arithmetic.
template <typename T, int kSteps>
__device__ inline void advance(const SelectiveScanProblem& p, int mode, const Place& at, float bias, const float (&A)[kStates],
                               int64_t t0, int steps, float (&h)[kStates]) {
  Step s[kSteps];
#pragma unroll
  for (int j = 0; j < kSteps; ++j)
    if (j < steps) load_step<T, false>(p, at.b, at.d, t0 + j, at.g, bias, s[j]);
#pragma unroll
  for (int j = 0; j < kSteps; ++j) {
    if (j >= steps) break;
#pragma unroll
    for (int k = 0; k < kStates; ++k) {
      const Discrete q = discretize(mode, s[j].dt, s[j].dta, A[k]);
      h[k] = q.a * h[k] + s[j].B[k] * (q.beta * s[j].u);
    }
  }
}

// The discretisation a kernel runs: kMode when it is one (a specialised kernel: the other three are compiled out,
// which keeps the hot loop small enough for the instruction cache), else the problem's (kAnyMode).
constexpr int kAnyMode = -1;
template <int kMode>
__device__ inline int mode_of(const SelectiveScanProblem& p) {
  return kMode != kAnyMode ? kMode : p.discretization;
}

template <typename T, int kLanes, int kMode>
__global__ void __launch_bounds__(kThreads)
    selective_scan_forward_kernel(SelectiveScanProblem p, void* y, StridesBXL y_s, float* h_last) {
  const int mode = mode_of<kMode>(p);
  const Place at = place<kLanes>(p);
  float A[kStates], h[kStates];
  load_state(p, at, p.h0, A, h);
  const float skip = p.D_skip != nullptr ? p.D_skip[at.d] : 0.f;
  const float bias = p.delta_bias != nullptr ? p.delta_bias[at.d] : 0.f;
  const int64_t chunks = chunks_of(p.length);
  for (int64_t t0 = 0; t0 < p.length; t0 += kSub) {
    if (p.chunk_states != nullptr && t0 % kChunk == 0 && at.active) {
#pragma unroll
      for (int k = 0; k < kStates; ++k) {
        const int64_t n = at.g * kStates + k;
        if (n < p.state) p.chunk_states[chunk_state_index(p, at, chunks, t0 / kChunk, n)] = h[k];
      }
    }
    const int steps = static_cast<int>(min(int64_t(kSub), p.length - t0));
    Step s[kSub];
#pragma unroll
    for (int j = 0; j < kSub; ++j)
      if (j < steps) load_step<T, true>(p, at.b, at.d, t0 + j, at.g, bias, s[j]);
#pragma unroll
    for (int j = 0; j < kSub; ++j) {
      if (j >= steps) break;  // uniform over the block: every lane reaches the shuffles
      float out = 0.f;
#pragma unroll
      for (int k = 0; k < kStates; ++k) {
        const Discrete q = discretize(mode, s[j].dt, s[j].dta, A[k]);
        h[k] = q.a * h[k] + s[j].B[k] * (q.beta * s[j].u);
        out += s[j].C[k] * h[k];
      }
      out = lane_sum<kLanes>(out) + skip * s[j].u;
      if (p.z != nullptr) out *= s[j].z * sigmoid(s[j].z);
      if (at.active && at.g == 0) store<T>(y, offset(y_s, at.b, at.d, t0 + j), out);
    }
  }
  if (at.active) {
#pragma unroll
    for (int k = 0; k < kStates; ++k) {
      const int64_t n = at.g * kStates + k;
      if (n < p.state) h_last[(at.b * p.width + at.d) * p.state + n] = h[k];
    }
  }
}

// The sums of v[0..8) over the warp's channels (the lanes that differ in their channel bits, kLanes << 0..), one sum
// per lane: a transposing butterfly (4 + 2 + 1 shuffles, not 8 × 3). On return `index` names the v the lane holds;
// the lanes of the warp's first 8 channels hold all 8 (further channels hold copies).
template <int kLanes>
__device__ inline float warp_scatter_sum(float (&v)[2 * kStates], int lane, int& index) {
  index = 0;
#pragma unroll
  for (int r = 0; r < 3; ++r) {
    const int half = 4 >> r;
    const int bit = kLanes << r;
    const bool upper = (lane & bit) != 0;
#pragma unroll
    for (int i = 0; i < half; ++i) {
      const float send = upper ? v[i] : v[i + half];
      const float keep = upper ? v[i + half] : v[i];
      v[i] = keep + __shfl_xor_sync(kFull, send, bit);
    }
    if (upper) index += half;
  }
#pragma unroll
  for (int bit = kLanes << 3; bit < 32; bit <<= 1) v[0] += __shfl_xor_sync(kFull, v[0], bit);
  return v[0];
}

template <typename T, int kLanes, int kMode>
__global__ void __launch_bounds__(kThreads)
    selective_scan_backward_kernel(SelectiveScanProblem p, SelectiveScanGrads q) {
  const int mode = mode_of<kMode>(p);
  __shared__ float entering[kRecomputes][kStates][kThreads];         // the state entering each sub-chunk of a chunk
  __shared__ float partial[kWarps][kRecompute][2][kMaxState];         // per warp: dB (0), dC (1) of a sub-chunk's steps
  const Place at = place<kLanes>(p);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  float A[kStates], carry[kStates];  // carry: Ā_{t+1}·λ_{t+1}, the gradient reaching h_t from later steps
  load_state(p, at, q.grad_last, A, carry);
  const float skip = p.D_skip != nullptr ? p.D_skip[at.d] : 0.f;
  const float bias = p.delta_bias != nullptr ? p.delta_bias[at.d] : 0.f;
  float dA[kStates] = {};
  float dD = 0.f, dbias = 0.f;
  const int64_t chunks = chunks_of(p.length);
  const int64_t tiles = gridDim.x;

  for (int64_t c = chunks - 1; c >= 0; --c) {
    const int64_t t0 = c * kChunk, t1 = min(t0 + kChunk, p.length);
    const int subs = static_cast<int>((t1 - t0 + kRecompute - 1) / kRecompute);
    float h[kStates];
#pragma unroll
    for (int k = 0; k < kStates; ++k) {
      const int64_t n = at.g * kStates + k;
      h[k] = n < p.state ? p.chunk_states[chunk_state_index(p, at, chunks, c, n)] : 0.f;
    }
    for (int sc = 0; sc < subs; ++sc) {  // each thread reads back only what it wrote: no barrier needed
#pragma unroll
      for (int k = 0; k < kStates; ++k) entering[sc][k][threadIdx.x] = h[k];
      const int64_t s0 = t0 + sc * kRecompute;
      advance<T, kRecompute>(p, mode, at, bias, A, s0, static_cast<int>(min(int64_t(kRecompute), t1 - s0)), h);
    }

    for (int sc = subs - 1; sc >= 0; --sc) {
      const int64_t s0 = t0 + sc * kRecompute;
      const int steps = static_cast<int>(min(int64_t(kRecompute), t1 - s0));
      float before[kStates], a[kRecompute][kStates], hs[kRecompute][kStates];
#pragma unroll
      for (int k = 0; k < kStates; ++k) before[k] = entering[sc][k][threadIdx.x];
      {
        Step s[kRecompute];
#pragma unroll
        for (int j = 0; j < kRecompute; ++j)
          if (j < steps) load_step<T, false>(p, at.b, at.d, s0 + j, at.g, bias, s[j]);
#pragma unroll
        for (int j = 0; j < kRecompute; ++j) {
#pragma unroll
          for (int k = 0; k < kStates; ++k) {
            if (j < steps) {
              const Discrete dq = discretize(mode, s[j].dt, s[j].dta, A[k]);
              a[j][k] = dq.a;
              hs[j][k] = dq.a * (j > 0 ? hs[j - 1][k] : before[k]) + s[j].B[k] * (dq.beta * s[j].u);
            } else {
              a[j][k] = 0.f;
              hs[j][k] = 0.f;
            }
          }
        }
      }

#pragma unroll
      for (int j = kRecompute - 1; j >= 0; --j) {
        if (j >= steps) continue;  // uniform over the block
        const int64_t t = s0 + j;
        Step s;
        load_step<T, true>(p, at.b, at.d, t, at.g, bias, s);
        const float gy = q.grad_y != nullptr ? load<T>(q.grad_y, offset(q.grad_y_s, at.b, at.d, t)) : 0.f;
        float scan = 0.f;  // (C·h)_t
#pragma unroll
        for (int k = 0; k < kStates; ++k) scan += s.C[k] * hs[j][k];
        scan = lane_sum<kLanes>(scan);
        float gs = gy, dz = 0.f;
        if (p.z != nullptr) {
          const float sg = sigmoid(s.z);
          gs = gy * s.z * sg;
          dz = gy * (scan + skip * s.u) * sg * (1.f + s.z * (1.f - sg));
        }
        dD += gs * s.u;
        float du = 0.f, ddt = 0.f, ddta = 0.f, sums[2 * kStates];
#pragma unroll
        for (int k = 0; k < kStates; ++k) {
          const float lambda = gs * s.C[k] + carry[k];
          const float prev = j > 0 ? hs[j > 0 ? j - 1 : 0][k] : before[k];
          const Discrete dq = discretize(mode, s.dt, s.dta, A[k]);
          const Derivatives dv = derivatives(mode, s.dt, s.dta, A[k], a[j][k], dq.beta);
          const float da = lambda * prev;             // ∂L/∂Ā_t
          const float dbeta = lambda * s.B[k] * s.u;  // ∂L/∂β_t
          ddta += da * dv.da_dx * A[k];
          dA[k] += da * dv.da_dx * s.dta + dbeta * dv.dbeta_dA;
          ddt += dbeta * dv.dbeta_ddt;
          du += lambda * dq.beta * s.B[k];
          sums[k] = at.active ? lambda * dq.beta * s.u : 0.f;   // ∂L/∂B_t[n] from this channel
          sums[kStates + k] = at.active ? gs * hs[j][k] : 0.f;  // ∂L/∂C_t[n] from this channel
          carry[k] = a[j][k] * lambda;
        }
        du = lane_sum<kLanes>(du) + gs * skip;
        ddt = lane_sum<kLanes>(ddt);
        ddta = lane_sum<kLanes>(ddta);
        if (p.delta_a == nullptr) ddt += ddta;  // Δᴬ is Δ
        const float draw = p.softplus ? ddt * sigmoid(s.raw) : ddt;
        dbias += draw;
        if (at.active && at.g == 0) {
          store<T>(q.du, offset(q.du_s, at.b, at.d, t), du);
          store<T>(q.ddelta, offset(q.ddelta_s, at.b, at.d, t), draw);
          if (p.z != nullptr) store<T>(q.dz, offset(q.dz_s, at.b, at.d, t), dz);
          if (p.delta_a != nullptr) store<T>(q.ddelta_a, offset(q.ddelta_a_s, at.b, at.d, t), ddta);
        }
        int index;
        const float sum = warp_scatter_sum<kLanes>(sums, lane, index);
        if (lane / kLanes < 2 * kStates) partial[warp][j][index / kStates][at.g * kStates + index % kStates] = sum;
      }

      __syncthreads();
      const int N = static_cast<int>(p.state);
      for (int i = threadIdx.x; i < 2 * kRecompute * N; i += kThreads) {
        const int kind = i / (kRecompute * N), r = i % (kRecompute * N), j = r / N, n = r % N;
        if (j >= steps) continue;
        float v = 0.f;
#pragma unroll
        for (int w = 0; w < kWarps; ++w) v += partial[w][j][kind][n];
        (kind == 0 ? q.dB_part : q.dC_part)[((at.b * tiles + blockIdx.x) * p.length + s0 + j) * p.state + n] = v;
      }
      __syncthreads();  // partial is written again by the next sub-chunk
    }
  }

  if (at.active) {
#pragma unroll
    for (int k = 0; k < kStates; ++k) {
      const int64_t n = at.g * kStates + k;
      if (n >= p.state) continue;
      const int64_t i = (at.b * p.width + at.d) * p.state + n;
      q.dA_part[i] = dA[k];
      if (q.dh0 != nullptr) q.dh0[i] = carry[k];
    }
    if (at.g == 0) {
      q.dD_part[at.b * p.width + at.d] = dD;
      q.dbias_part[at.b * p.width + at.d] = dbias;
    }
  }
}

int lanes_for(int64_t state) { return state <= kStates ? 1 : state <= 2 * kStates ? 2 : 4; }

dim3 grid_for(const SelectiveScanProblem& p) {
  return dim3(static_cast<unsigned>(launch::selective_scan_tiles(p.width, p.state)), static_cast<unsigned>(p.batch));
}

// Mamba's own discretisation gets kernels of its own; the others share one that switches at run time.
template <typename T, int kLanes>
void forward_with(const SelectiveScanProblem& p, void* y, StridesBXL y_s, float* h_last, cudaStream_t stream) {
  if (p.discretization == 0)
    selective_scan_forward_kernel<T, kLanes, 0><<<grid_for(p), kThreads, 0, stream>>>(p, y, y_s, h_last);
  else
    selective_scan_forward_kernel<T, kLanes, kAnyMode><<<grid_for(p), kThreads, 0, stream>>>(p, y, y_s, h_last);
}

template <typename T>
const char* forward_as(const SelectiveScanProblem& p, void* y, StridesBXL y_s, float* h_last, cudaStream_t stream) {
  switch (lanes_for(p.state)) {
    case 1: forward_with<T, 1>(p, y, y_s, h_last, stream); break;
    case 2: forward_with<T, 2>(p, y, y_s, h_last, stream); break;
    default: forward_with<T, 4>(p, y, y_s, h_last, stream); break;
  }
  return device::launch_status();
}

template <typename T, int kLanes>
void backward_with(const SelectiveScanProblem& p, const SelectiveScanGrads& g, cudaStream_t stream) {
  if (p.discretization == 0)
    selective_scan_backward_kernel<T, kLanes, 0><<<grid_for(p), kThreads, 0, stream>>>(p, g);
  else
    selective_scan_backward_kernel<T, kLanes, kAnyMode><<<grid_for(p), kThreads, 0, stream>>>(p, g);
}

template <typename T>
const char* backward_as(const SelectiveScanProblem& p, const SelectiveScanGrads& g, cudaStream_t stream) {
  switch (lanes_for(p.state)) {
    case 1: backward_with<T, 1>(p, g, stream); break;
    case 2: backward_with<T, 2>(p, g, stream); break;
    default: backward_with<T, 4>(p, g, stream); break;
  }
  return device::launch_status();
}

const char* check(const SelectiveScanProblem& p) {
  if (p.state < 1 || p.state > kMaxState) return "selective_scan: the CUDA kernel takes 1 ≤ N ≤ 16";
  if (p.batch > 65535) return "selective_scan: the CUDA kernel takes at most 65535 sequences";
  return nullptr;
}

}  // namespace

namespace launch {

int64_t selective_scan_chunks(int64_t length) { return chunks_of(length); }

int64_t selective_scan_tiles(int64_t width, int64_t state) {
  const int64_t per_block = kThreads / lanes_for(state);
  return (width + per_block - 1) / per_block;
}

const char* selective_scan_forward(const SelectiveScanProblem& problem, void* y, StridesBXL y_s, float* h_last,
                                   void* stream) {
  if (const char* error = check(problem)) return error;
  if (problem.batch == 0 || problem.width == 0 || problem.length == 0) return nullptr;
  const auto s = static_cast<cudaStream_t>(stream);
  switch (problem.dtype) {
    case Scalar::Float32: return forward_as<float>(problem, y, y_s, h_last, s);
    case Scalar::BFloat16: return forward_as<__nv_bfloat16>(problem, y, y_s, h_last, s);
    case Scalar::Float16: return forward_as<__half>(problem, y, y_s, h_last, s);
    default: return "selective_scan: unsupported dtype for the CUDA kernel";
  }
}

const char* selective_scan_backward(const SelectiveScanProblem& problem, const SelectiveScanGrads& grads,
                                    void* stream) {
  if (const char* error = check(problem)) return error;
  if (problem.chunk_states == nullptr) return "selective_scan: the backward needs the forward's chunk states";
  if (problem.batch == 0 || problem.width == 0 || problem.length == 0) return nullptr;
  const auto s = static_cast<cudaStream_t>(stream);
  switch (problem.dtype) {
    case Scalar::Float32: return backward_as<float>(problem, grads, s);
    case Scalar::BFloat16: return backward_as<__nv_bfloat16>(problem, grads, s);
    case Scalar::Float16: return backward_as<__half>(problem, grads, s);
    default: return "selective_scan: unsupported dtype for the CUDA kernel";
  }
}

}  // namespace launch
}  // namespace lrnn::kernels
