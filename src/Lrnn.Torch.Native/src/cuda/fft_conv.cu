// The causal FFT convolution of the S4-family blocks in one kernel: for each (batch b, channel c, feature pair h, h+1)
// one block loads the two input rows, transforms them, multiplies by the kernel spectra, transforms back and writes
// the two output rows, with the spectra in shared memory throughout:
//   y[b, t, c, h] = Σ_{s≤t} k[c, h, t−s] · u[b, s, h]   =   IDFT_N( DFT_N(u[b, ·, h]) · K̂[c, h, ·] )[t],  t < L,
// N = 4096 ≥ 2L (zero padding makes the circular convolution a linear one), K̂ = rfft(k, N) from the caller.
//
// Why a kernel of our own: through cuFFT the same convolution is eight full passes over the activations (pad, r2c,
// product, irfft's copy of its input, c2r, slice, two layout copies, since cuFFT wants time innermost and the model
// keeps features innermost); here it is one coalesced read of u and one of y, in the model's (B, L, ·, H) layout.
// docs/lti-mixers.md has the measurements.
//
// The transform: Stockham radix-16 (Govindaraju et al., "High performance discrete Fourier transforms on graphics
// processors", SC 2008), N = 16³: three passes, one 16-point butterfly per thread per pass, 256 threads. Each 16-point
// DFT runs in registers as 4 × 4 (radix-4 butterflies and the W16 twiddles). Shared memory holds one padded
// complex row (index i at i + i/16, which makes the pass-0 stores conflict-free).
//
// Two real rows share one complex transform: z = u_h + i·u_{h+1}, Z = DFT(z), and with Z* = conj(Z[N−k])
//   U_h = (Z + Z*)/2,  U_{h+1} = (Z − Z*)/(2i);   W = U_h·K̂_h + i·U_{h+1}·K̂_{h+1};   IDFT(W)/N = y_h + i·y_{h+1},
// since y_h and y_{h+1} are real. Twiddles come from sincospif of exact binary fractions, products of at most three.
// An optional epilogue applies the exact GELU once or twice to y as it is written (the S4 block's two activations),
// which saves the two full passes they would take on their own.
#include "device_math.cuh"
#include "launch.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace lrnn::kernels {
namespace {

constexpr int kN = 4096;
constexpr int kThreads = kN / 16;   // one radix-16 butterfly per thread per pass
constexpr int kPadded = kN + kN / 16;
constexpr int kHalf = 8;            // r < kHalf: the steps t = j + 256·r < N/2 that can hold data (L ≤ N/2)
static_assert(launch::kFftConvLength == kN, "launch.h and the kernel disagree on the transform length");

__device__ __forceinline__ int padded(int i) { return i + (i >> 4); }

__device__ __forceinline__ float2 operator+(float2 a, float2 b) { return make_float2(a.x + b.x, a.y + b.y); }
__device__ __forceinline__ float2 operator-(float2 a, float2 b) { return make_float2(a.x - b.x, a.y - b.y); }
__device__ __forceinline__ float2 mul(float2 a, float2 b) {
  return make_float2(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

// Sign −1: the forward DFT (e^{−2πi·kt/n}); +1: the unnormalised inverse.
template <int Sign>
__device__ __forceinline__ void dft4(float2& a0, float2& a1, float2& a2, float2& a3) {
  const float2 t0 = a0 + a2, t1 = a0 - a2, t2 = a1 + a3, d = a1 - a3;
  const float2 t3 = Sign < 0 ? make_float2(d.y, -d.x) : make_float2(-d.y, d.x);   // d·(Sign·i)
  a0 = t0 + t2;
  a1 = t1 + t3;
  a2 = t0 - t2;
  a3 = t1 - t3;
}

// e^{Sign·2πi·m/16} for the m = a·q (a, q < 4) the 4 × 4 split needs.
template <int Sign>
__device__ __forceinline__ float2 w16(int m) {
  constexpr float c1 = 0.92387953251128674f, s1 = 0.38268343236508978f, r2 = 0.70710678118654752f;
  float2 w;
  switch (m) {
    case 1: w = make_float2(c1, s1); break;
    case 2: w = make_float2(r2, r2); break;
    case 3: w = make_float2(s1, c1); break;
    case 4: w = make_float2(0.f, 1.f); break;
    case 6: w = make_float2(-r2, r2); break;
    case 9: w = make_float2(-c1, -s1); break;
    default: w = make_float2(1.f, 0.f); break;
  }
  return make_float2(w.x, Sign * w.y);
}

// The 16-point DFT of v in place, with the result in 4 × 4 transposed order: X[r] is v[out16(r)].
template <int Sign>
__device__ __forceinline__ void dft16(float2 (&v)[16]) {
#pragma unroll
  for (int a = 0; a < 4; ++a) dft4<Sign>(v[a], v[a + 4], v[a + 8], v[a + 12]);
#pragma unroll
  for (int a = 1; a < 4; ++a)
#pragma unroll
    for (int q = 1; q < 4; ++q) v[a + 4 * q] = mul(v[a + 4 * q], w16<Sign>(a * q));
#pragma unroll
  for (int q = 0; q < 4; ++q) dft4<Sign>(v[4 * q], v[4 * q + 1], v[4 * q + 2], v[4 * q + 3]);
}
__device__ __forceinline__ constexpr int out16(int r) { return (r & 3) * 4 + (r >> 2); }

// The twiddles of one pass for one thread, e^{−2πi·r·k/(16·Ns)} at r = 1, 2, 4, 8 (the forward sign; the inverse
// uses their conjugates). They depend only on the thread and the pass, so a block computes them once, exactly (sincospif
// of binary fractions), and its eight transforms reuse them.
struct Twiddles {
  float2 w1, w2, w4, w8;
};

template <int Ns>
__device__ __forceinline__ Twiddles pass_twiddles(int k) {
  const float base = float(k) * (2.f / (16.f * Ns));   // the angle of r = 1, over π
  Twiddles t;
  sincospif(base, &t.w1.y, &t.w1.x);
  sincospif(2.f * base, &t.w2.y, &t.w2.x);
  sincospif(4.f * base, &t.w4.y, &t.w4.x);
  sincospif(8.f * base, &t.w8.y, &t.w8.x);
  t.w1.y = -t.w1.y;
  t.w2.y = -t.w2.y;
  t.w4.y = -t.w4.y;
  t.w8.y = -t.w8.y;
  return t;
}

template <int Sign>
__device__ __forceinline__ float2 signed_twiddle(float2 w) { return Sign < 0 ? w : make_float2(w.x, -w.y); }

// v[r] ·= w^r for the pass's twiddles w (conjugated for the inverse): the others products of at most three of the
// four bases, with few live at once, which keeps the register count down.
template <int Sign>
__device__ __forceinline__ void twiddle(float2 (&v)[16], const Twiddles& t) {
  const float2 w1 = signed_twiddle<Sign>(t.w1), w2 = signed_twiddle<Sign>(t.w2), w4 = signed_twiddle<Sign>(t.w4),
               w8 = signed_twiddle<Sign>(t.w8);
  const float2 w3 = mul(w2, w1), w12 = mul(w8, w4);
  v[1] = mul(v[1], w1);
  v[2] = mul(v[2], w2);
  v[3] = mul(v[3], w3);
  v[4] = mul(v[4], w4);
  v[5] = mul(mul(v[5], w4), w1);
  v[6] = mul(mul(v[6], w4), w2);
  v[7] = mul(mul(v[7], w4), w3);
  v[8] = mul(v[8], w8);
  v[9] = mul(mul(v[9], w8), w1);
  v[10] = mul(mul(v[10], w8), w2);
  v[11] = mul(mul(v[11], w8), w3);
  v[12] = mul(v[12], w12);
  v[13] = mul(mul(v[13], w12), w1);
  v[14] = mul(mul(v[14], w12), w2);
  v[15] = mul(mul(v[15], w12), w3);
}

// Passes 1 and 2 of a transform whose pass 0 has been stored in buf; the result is left in v: X[j + 256·r] in
// v[out16(r)]. Pass 2 reads only the slots j + 256·r that its output goes to, so the caller may store it there
// without another barrier.
template <int Sign>
__device__ __forceinline__ void passes_1_2(float2* buf, float2 (&v)[16], int j, const Twiddles& t16, const Twiddles& t256) {
  __syncthreads();
#pragma unroll
  for (int r = 0; r < 16; ++r) v[r] = buf[padded(j + kThreads * r)];
  twiddle<Sign>(v, t16);
  dft16<Sign>(v);
  __syncthreads();
#pragma unroll
  for (int r = 0; r < 16; ++r) buf[padded((j >> 4) * 256 + (j & 15) + 16 * r)] = v[out16(r)];
  __syncthreads();
#pragma unroll
  for (int r = 0; r < 16; ++r) v[r] = buf[padded(j + kThreads * r)];
  twiddle<Sign>(v, t256);
  dft16<Sign>(v);
}

// Pass 0 of a transform whose input is in v (x[j + 256·r] in v[r]): no twiddles (Ns = 1), stored at 16·j + r.
template <int Sign>
__device__ __forceinline__ void pass_0(float2* buf, float2 (&v)[16], int j) {
  dft16<Sign>(v);
#pragma unroll
  for (int r = 0; r < 16; ++r) buf[padded(16 * j + r)] = v[out16(r)];
}

// The exact GELU, x·Φ(x), applied `Gelus` times to an output.
template <int Gelus>
__device__ __forceinline__ float activate(float x) {
#pragma unroll
  for (int i = 0; i < Gelus; ++i) x = 0.5f * x * (1.f + erff(x * 0.70710678118654752f));
  return x;
}

// One block convolves kGroup features (kGroup/2 pairs) of one (b, c): their (L, kGroup) input tile is loaded into
// shared memory with coalesced reads (kGroup floats = one 32-byte sector per time step), each pair is transformed,
// multiplied and transformed back in turn, its outputs overwriting its own inputs in the tile, and the tile is
// written back coalesced. Reading (or writing) two features per time step straight from global memory instead
// costs a sector per 8 bytes, and made the kernel 3–4× slower. The tile keeps each pair as a float2 row (pass 0 reads
// it conflict-free), rows padded by 4 float2 so that the tile's loads and stores do not collide on banks.
constexpr int kRow = kN / 2 + 4;   // float2 per pair row: L ≤ kN/2 steps, plus padding

constexpr int kGroup = 8;
constexpr int kPairs = kGroup / 2;
constexpr size_t kSharedBytes = sizeof(float2) * (kPadded + kPairs * kRow);

// Two blocks per SM (128 registers, about 100 KB of shared memory each). A 4-feature tile at three blocks per SM (80
// registers, small spills) was measured on an H100 and was no faster (428 against 416 µs at issue 4's size), so
// occupancy is not what limits this kernel. Nsight Compute cannot read counters on that machine; by count, the
// transforms, twiddles and erff of the GELUs are about 150 M warp instructions, half the SMs' issue rate over 416 µs.
template <int Gelus>
__global__ void __launch_bounds__(kThreads, 2) fft_causal_conv_kernel(launch::FftConvProblem p) {
  extern __shared__ float2 shared[];
  float2* buf = shared;                 // the transform, kPadded
  float2* tile = shared + kPadded;      // kPairs rows of kRow: tile[q·kRow + t] = (x[t, h0 + 2q], x[t, h0 + 2q + 1])
  float* tile_f = reinterpret_cast<float*>(tile);
  const int j = threadIdx.x;
  // b varies fastest, so the blocks sharing kernel spectra run together and find them in L2.
  int64_t block = blockIdx.x;
  const int64_t b = block % p.B;
  block /= p.B;
  const int64_t c = block % p.C;
  const int64_t h0 = kGroup * (block / p.C);
  const int features = static_cast<int>(p.H - h0 < kGroup ? p.H - h0 : kGroup);
  const int L = static_cast<int>(p.L);

  // The input tile: consecutive threads take consecutive features of one time step, then the next steps.
  const float* u = p.u + b * p.u_sb + h0 * p.u_sh;
  for (int e = j; e < L * kGroup; e += kThreads) {
    const int t = e / kGroup, f = e % kGroup;
    tile_f[2 * ((f / 2) * kRow + t) + (f & 1)] = f < features ? u[t * p.u_st + f * p.u_sh] : 0.f;
  }
  __syncthreads();

  const float2* khat = reinterpret_cast<const float2*>(p.khat) + (c * p.H + h0) * (kN / 2 + 1);
  const Twiddles t16 = pass_twiddles<16>(j & 15), t256 = pass_twiddles<256>(j);
  for (int q = 0; 2 * q < features; ++q) {
    // Forward transform of z[t] = x[t, h] + i·x[t, h + 1] (zero for t ≥ L); pass 0 from the tile.
    float2* row = tile + q * kRow;
    // Steps t = j + 256·r with r ≥ 8 are ≥ 2048 ≥ L: zero padding, known at compile time, so the compiler drops
    // their share of pass 0's arithmetic.
    float2 v[16];
#pragma unroll
    for (int r = 0; r < 16; ++r) {
      const int t = j + kThreads * r;
      v[r] = r < kHalf && t < L ? row[t] : make_float2(0.f, 0.f);
    }
    pass_0<-1>(buf, v, j);
    passes_1_2<-1>(buf, v, j, t16, t256);
#pragma unroll
    for (int r = 0; r < 16; ++r) buf[padded(j + kThreads * r)] = v[out16(r)];
    __syncthreads();

    // The product with both kernel spectra, one frequency pair {k, N − k} per iteration (a pair is read and written
    // by one thread only, so this runs in place). A lone last feature has a zero partner.
    const bool has_pair = 2 * q + 1 < features;
    const float2* k_h0 = khat + (2 * q) * (kN / 2 + 1);
    const float2* k_h1 = k_h0 + (kN / 2 + 1);
    for (int k = j; k <= kN / 2; k += kThreads) {
      const int m = (kN - k) & (kN - 1);
      const float2 zk = buf[padded(k)], zm = buf[padded(m)];
      // The inverse's 1/N is folded in here (a power of two: exact), so K̂ is the unscaled rfft.
      constexpr float half = 0.5f / kN;
      const float2 u0 = make_float2(half * (zk.x + zm.x), half * (zk.y - zm.y));     // (Z[k] + conj Z[m]) / 2N
      const float2 u1 = make_float2(half * (zk.y + zm.y), -half * (zk.x - zm.x));    // (Z[k] − conj Z[m]) / 2iN
      const float2 y0 = mul(u0, __ldg(k_h0 + k));
      const float2 y1 = has_pair ? mul(u1, __ldg(k_h1 + k)) : make_float2(0.f, 0.f);
      buf[padded(k)] = make_float2(y0.x - y1.y, y0.y + y1.x);                          // Y_h[k] + i·Y_{h+1}[k]
      if (m != k) buf[padded(m)] = make_float2(y0.x + y1.y, y1.x - y0.y);              // conj(Y_h[k]) + i·conj(Y_{h+1}[k])
    }
    __syncthreads();

    // The inverse; its last pass writes y_h + i·y_{h+1}, activated, over this pair's inputs (the steps t = j + 256·r
    // this thread read in pass 0, so no other thread still needs them). Only t < L ≤ 2048 (r < 8) is kept, so the
    // compiler drops the other half of the last butterflies.
#pragma unroll
    for (int r = 0; r < 16; ++r) v[r] = buf[padded(j + kThreads * r)];
    __syncthreads();
    pass_0<1>(buf, v, j);
    passes_1_2<1>(buf, v, j, t16, t256);
#pragma unroll
    for (int r = 0; r < 16; ++r) {
      const int t = j + kThreads * r;
      if (r < kHalf && t < L) {
        const float2 w = v[out16(r)];
        row[t] = make_float2(activate<Gelus>(w.x), activate<Gelus>(w.y));
      }
    }
    __syncthreads();   // buf is reused by the next pair
  }

  // The output tile, coalesced as it was read.
  float* y = p.out + b * p.o_sb + c * p.o_sc + h0 * p.o_sh;
  for (int e = j; e < L * kGroup; e += kThreads) {
    const int t = e / kGroup, f = e % kGroup;
    if (f < features) y[t * p.o_st + f * p.o_sh] = tile_f[2 * ((f / 2) * kRow + t) + (f & 1)];
  }
}

}  // namespace

namespace launch {

const char* fft_causal_conv(const FftConvProblem& p, void* stream) {
  if (p.L < 1 || 2 * p.L > kN || p.B < 1 || p.C < 1 || p.H < 1) return "fft_causal_conv: sizes out of range";
  if (p.gelus < 0 || p.gelus > 2) return "fft_causal_conv: gelus must be 0, 1 or 2";
  const int64_t blocks = p.B * p.C * ((p.H + kGroup - 1) / kGroup);
  if (blocks > 0x7fffffffLL) return "fft_causal_conv: too many rows for one launch";
  const dim3 grid(static_cast<unsigned>(blocks)), block(kThreads);
  const auto s = static_cast<cudaStream_t>(stream);
  int device = 0;
  if (const cudaError_t error = cudaGetDevice(&device); error != cudaSuccess) return cudaGetErrorString(error);
  // Over 48 KB of dynamic shared memory needs the opt-in, once per kernel and device; remembered per thread (the
  // device of the last opt-in per instantiation), since a repeated opt-in is harmless and a lock is not needed.
  static thread_local int opted_in[3] = {-1, -1, -1};
  const auto run = [&](void (*kernel)(launch::FftConvProblem)) {
    if (opted_in[p.gelus] != device) {
      const cudaError_t error = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kSharedBytes);
      if (error != cudaSuccess) return error;
      opted_in[p.gelus] = device;
    }
    kernel<<<grid, block, kSharedBytes, s>>>(p);
    return cudaSuccess;
  };
  const cudaError_t launched = p.gelus == 0   ? run(fft_causal_conv_kernel<0>)
                               : p.gelus == 1 ? run(fft_causal_conv_kernel<1>)
                                              : run(fft_causal_conv_kernel<2>);
  if (launched != cudaSuccess) return cudaGetErrorString(launched);
  return device::launch_status();
}

}  // namespace launch
}  // namespace lrnn::kernels
