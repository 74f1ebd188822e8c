// cpu_kernels.h's selective scan: selective_scan.cpp's SelectiveScanFunction (forward and backward) as one loop per
// (batch, channel) with the N-dim state in a local array, parallel over (batch, channel) and vectorised over N.
//
// Forward: per (b, d), for each t: Ā, B̄u from (Δ_t, Δᴬ_t, u_t, A[d], B_t), h = Ā ⊙ h + B̄u, y_t = C_t · h; the state
// entering every chunk of T steps is stored (the ATen version's record, (B, D, nc, N)).
// Backward: per (b, d), chunks in reverse; a chunk's states and Ā are recomputed from its boundary into a (T, N)
// buffer, then the adjoint g_t = dL/dh_t runs backwards (g_t = Ā_{t+1} ⊙ g_{t+1} + C_t·dL/dy_t) and each step's
// discretisation is differentiated by hand:
//   dL/dĀ_t = g_t ⊙ h_{t−1},  dL/dB̄u_t = g_t,
//   mamba/zoh/dirac Ā = e^{ΔᴬA}: ∂Ā/∂Δᴬ = Ā·A, ∂Ā/∂A = Ā·Δᴬ;  bilinear Ā = (1 + ΔᴬA/2)/(1 − ΔᴬA/2): ∂Ā/∂Δᴬ =
//   A/(1 − ΔᴬA/2)², ∂Ā/∂A = Δᴬ/(1 − ΔᴬA/2)²;  B̄u = w·B·u with w = Δ (mamba), (e^{ΔA} − 1)/A (zoh: ∂w/∂Δ = e^{ΔA},
//   ∂w/∂A = (Δe^{ΔA} − w)/A), Δ/(1 − ΔA/2) (bilinear: ∂w/∂Δ = 1/q², ∂w/∂A = Δ²/(2q²), q = 1 − ΔA/2), 1 (dirac).
// dL/dB, dL/dC (sums over d) and dL/dA (a sum over b) are accumulated per parallel block and added up at the end.
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

#include "cpu_kernels.h"
#include "cpu_simd.h"

namespace lrnn::cpu_kernels {
namespace {

enum Mode : int64_t { kMamba = 0, kZoh = 1, kBilinear = 2, kDirac = 3 };

template <typename T>
inline T exp_fast(T x) {
  if constexpr (std::is_same_v<T, float>) return exp_vectorisable(x);
  else return std::exp(x);
}

// Raw pointers of one problem; u, dt, dt_a, y: (B, D, L); A: (D, N); Bt, Ct: (B, L, N) (time-major copies of B, C);
// h0, last: (B, D, N); bounds: (B, D, nc, N). All contiguous.
template <typename T>
struct Problem {
  const T *u, *dt, *dt_a, *A, *Bt, *Ct, *h0;
  int64_t batch, width, length, state, chunk, chunks;
};

// Ā and B̄u/(B·u) — the factor w — for one step, given Δ (s), Δᴬ (sa) and A[n].
template <typename T, int64_t M>
inline T decay(T sa, T a) {
  if constexpr (M == kBilinear) {
    const T half = sa * a * T(0.5);
    return (T(1) + half) / (T(1) - half);
  } else {
    return exp_fast(sa * a);
  }
}
template <typename T, int64_t M>
inline T input_factor(T s, T a) {
  if constexpr (M == kMamba) return s;
  else if constexpr (M == kZoh) return std::expm1(s * a) / a;
  else if constexpr (M == kBilinear) return s / (T(1) - s * a * T(0.5));
  else return T(1);
}

template <typename T, int64_t M>
LRNN_CPU_CLONES void forward_channel(const Problem<T>& p, int64_t b, int64_t d, T* y, T* last, T* bounds) {
  const int64_t N = p.state, L = p.length;
  const int64_t row = (b * p.width + d) * L;
  const T* An = p.A + d * N;
  T h[256];  // N ≤ 256 (checked by the caller)
  for (int64_t n = 0; n < N; ++n) h[n] = p.h0 ? p.h0[(b * p.width + d) * N + n] : T(0);
  for (int64_t t = 0; t < L; ++t) {
    if (t % p.chunk == 0) std::copy(h, h + N, bounds + ((b * p.width + d) * p.chunks + t / p.chunk) * N);
    const T s = p.dt[row + t], sa = p.dt_a ? p.dt_a[row + t] : s, x = p.u[row + t];
    const T* Bn = p.Bt + (b * L + t) * N;
    const T* Cn = p.Ct + (b * L + t) * N;
    T acc = 0;
    LRNN_SIMD_REDUCE(acc)
    for (int64_t n = 0; n < N; ++n) {
      h[n] = decay<T, M>(sa, An[n]) * h[n] + input_factor<T, M>(s, An[n]) * Bn[n] * x;
      acc += Cn[n] * h[n];
    }
    y[row + t] = acc;
  }
  std::copy(h, h + N, last + (b * p.width + d) * N);
}

// Per-block sums of the gradients that reduce over (b, d): dA (D, N), dB and dC in (B, L, N) for the block's batch
// rows [b0, b0 + rows).
template <typename T>
struct Accumulators {
  int64_t b0;
  std::vector<T> dA, dB, dC;
};

template <typename T, int64_t M>
LRNN_CPU_CLONES void backward_channel(const Problem<T>& p, int64_t b, int64_t d, const T* bounds, const T* gy,
                                      const T* glast, T* du, T* ddt, T* ddt_a, T* dh0, Accumulators<T>& acc, T* hs,
                                      T* as) {
  const int64_t N = p.state, L = p.length;
  const int64_t row = (b * p.width + d) * L;
  const T* An = p.A + d * N;
  T* dA = acc.dA.data() + d * N;
  T g[256];
  for (int64_t n = 0; n < N; ++n) g[n] = glast ? glast[(b * p.width + d) * N + n] : T(0);
  for (int64_t c = p.chunks - 1; c >= 0; --c) {
    const int64_t start = c * p.chunk, len = std::min(p.chunk, L - start);
    const T* h_in = bounds + ((b * p.width + d) * p.chunks + c) * N;
    // The chunk's states h (len, N) and decays Ā (len, N), from its boundary.
    for (int64_t k = 0; k < len; ++k) {
      const int64_t t = start + k;
      const T s = p.dt[row + t], sa = p.dt_a ? p.dt_a[row + t] : s, x = p.u[row + t];
      const T* Bn = p.Bt + (b * L + t) * N;
      const T* prev = k > 0 ? hs + (k - 1) * N : h_in;
      T* hk = hs + k * N;
      T* ak = as + k * N;
      LRNN_SIMD
      for (int64_t n = 0; n < N; ++n) {
        ak[n] = decay<T, M>(sa, An[n]);
        hk[n] = ak[n] * prev[n] + input_factor<T, M>(s, An[n]) * Bn[n] * x;
      }
    }
    for (int64_t k = len - 1; k >= 0; --k) {
      const int64_t t = start + k;
      const T s = p.dt[row + t], sa = p.dt_a ? p.dt_a[row + t] : s, x = p.u[row + t];
      const T gyt = gy ? gy[row + t] : T(0);
      const T* Bn = p.Bt + (b * L + t) * N;
      const T* Cn = p.Ct + (b * L + t) * N;
      const T* prev = k > 0 ? hs + (k - 1) * N : h_in;
      const T* hk = hs + k * N;
      const T* ak = as + k * N;
      T* dB = acc.dB.data() + ((b - acc.b0) * L + t) * N;
      T* dC = acc.dC.data() + ((b - acc.b0) * L + t) * N;
      T d_sa = 0, d_s = 0, d_x = 0;
      LRNN_SIMD_REDUCE(d_sa, d_s, d_x)
      for (int64_t n = 0; n < N; ++n) {
        const T a = An[n];
        const T gn = g[n] + gyt * Cn[n];  // dL/dh_t in total
        dC[n] += hk[n] * gyt;
        const T g_decay = gn * prev[n];  // dL/dĀ_t
        T dA_n;
        if constexpr (M == kBilinear) {
          const T q = T(1) - sa * a * T(0.5);
          const T dq = g_decay / (q * q);
          d_sa += dq * a;
          dA_n = dq * sa;
        } else {
          d_sa += g_decay * ak[n] * a;
          dA_n = g_decay * ak[n] * sa;
        }
        // B̄u = w·B·x: the gradient dL/dB̄u_t is gn.
        const T w = input_factor<T, M>(s, a);
        const T gw = gn * Bn[n] * x;  // dL/dw
        dB[n] += gn * w * x;
        d_x += gn * w * Bn[n];
        if constexpr (M == kMamba) {
          d_s += gw;
        } else if constexpr (M == kZoh) {
          const T e = std::exp(s * a);
          d_s += gw * e;
          dA_n += gw * (s * e - w) / a;
        } else if constexpr (M == kBilinear) {
          const T q = T(1) - s * a * T(0.5);
          d_s += gw / (q * q);
          dA_n += gw * s * s * T(0.5) / (q * q);
        }
        dA[n] += dA_n;
        g[n] = ak[n] * gn;  // Ā_t ⊙ g_t: the carry into t − 1
      }
      du[row + t] = d_x;
      if (ddt_a) {
        ddt_a[row + t] = d_sa;
        ddt[row + t] = d_s;
      } else {
        ddt[row + t] = d_s + d_sa;
      }
    }
  }
  if (dh0) std::copy(g, g + N, dh0 + (b * p.width + d) * N);
}

bool applies(std::initializer_list<const at::Tensor*> tensors, at::ScalarType dtype) {
  if (!enabled() || (dtype != at::kFloat && dtype != at::kDouble)) return false;
  for (const auto* t : tensors)
    if (t->defined() && (!t->device().is_cpu() || t->scalar_type() != dtype)) return false;
  return true;
}

// Work items (b, d) in parallel; blocks of several channels so that a block's overhead is amortised.
int64_t grain_of(int64_t length, int64_t state) {
  return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, length * state));
}

template <typename T>
Problem<T> problem_of(const at::Tensor& u, const at::Tensor& dt, const at::Tensor& dt_a, const at::Tensor& A,
                      const at::Tensor& Bt, const at::Tensor& Ct, const at::Tensor& h0, int64_t chunk) {
  const auto length = u.size(2);
  return {u.data_ptr<T>(), dt.data_ptr<T>(), dt_a.defined() ? dt_a.data_ptr<T>() : nullptr, A.data_ptr<T>(),
          Bt.data_ptr<T>(), Ct.data_ptr<T>(), h0.defined() ? h0.data_ptr<T>() : nullptr, u.size(0), u.size(1),
          length, A.size(1), chunk, (length + chunk - 1) / chunk};
}

at::Tensor contiguous_or_undefined(const at::Tensor& t) { return t.defined() ? t.contiguous() : t; }

// (B, N, L) -> (B, L, N) contiguous: one step's N values side by side.
at::Tensor time_major(const at::Tensor& t) { return t.transpose(1, 2).contiguous(); }

template <typename F>
void for_mode(int64_t mode, F&& f) {
  switch (mode) {
    case kMamba: f(std::integral_constant<int64_t, kMamba>{}); break;
    case kZoh: f(std::integral_constant<int64_t, kZoh>{}); break;
    case kBilinear: f(std::integral_constant<int64_t, kBilinear>{}); break;
    default: f(std::integral_constant<int64_t, kDirac>{}); break;
  }
}

}  // namespace

bool selective_scan_forward(const at::Tensor& u_in, const at::Tensor& dt_in, const at::Tensor& dt_a_in,
                            const at::Tensor& A_in, const at::Tensor& B, const at::Tensor& C, const at::Tensor& h0_in,
                            int64_t mode, int64_t chunk, at::Tensor& y, at::Tensor& last, at::Tensor& boundaries) {
  const auto dtype = u_in.scalar_type();
  if (!applies({&u_in, &dt_in, &dt_a_in, &A_in, &B, &C, &h0_in}, dtype) || A_in.size(1) > 256 || chunk < 1)
    return false;
  const auto u = u_in.contiguous(), dt = dt_in.contiguous(), dt_a = contiguous_or_undefined(dt_a_in);
  const auto A = A_in.contiguous(), h0 = contiguous_or_undefined(h0_in);
  const auto Bt = time_major(B), Ct = time_major(C);
  const auto batch = u.size(0), width = u.size(1), length = u.size(2), state = A.size(1);
  const auto chunks = (length + chunk - 1) / chunk;
  y = at::empty({batch, width, length}, u.options());
  last = at::empty({batch, width, state}, u.options());
  boundaries = at::empty({batch, width, chunks, state}, u.options());
  AT_DISPATCH_FLOATING_TYPES(dtype, "lrnn_cpu_selective_scan", [&] {
    const auto p = problem_of<scalar_t>(u, dt, dt_a, A, Bt, Ct, h0, chunk);
    auto* yp = y.data_ptr<scalar_t>();
    auto* lp = last.data_ptr<scalar_t>();
    auto* bp = boundaries.data_ptr<scalar_t>();
    for_mode(mode, [&](auto m) {
      at::parallel_for(0, batch * width, grain_of(length, state), [&](int64_t begin, int64_t end) {
        for (int64_t item = begin; item < end; ++item)
          forward_channel<scalar_t, decltype(m)::value>(p, item / width, item % width, yp, lp, bp);
      });
    });
  });
  return true;
}

bool selective_scan_backward(const at::Tensor& u_in, const at::Tensor& dt_in, const at::Tensor& dt_a_in,
                             const at::Tensor& A_in, const at::Tensor& B, const at::Tensor& C,
                             const at::Tensor& boundaries_in, int64_t mode, int64_t chunk, const at::Tensor& grad_y_in,
                             const at::Tensor& grad_last_in, SelectiveScanGrads& grads) {
  const auto dtype = u_in.scalar_type();
  if (!applies({&u_in, &dt_in, &dt_a_in, &A_in, &B, &C, &boundaries_in}, dtype) || A_in.size(1) > 256 || chunk < 1)
    return false;
  // The incoming gradients may come in another dtype (or on another path); they are converted, not declined.
  const auto grad_y = grad_y_in.defined() ? grad_y_in.to(dtype).contiguous() : grad_y_in;
  const auto grad_last = grad_last_in.defined() ? grad_last_in.to(dtype).contiguous() : grad_last_in;
  if ((grad_y.defined() && !grad_y.device().is_cpu()) || (grad_last.defined() && !grad_last.device().is_cpu()))
    return false;
  const auto u = u_in.contiguous(), dt = dt_in.contiguous(), dt_a = contiguous_or_undefined(dt_a_in);
  const auto A = A_in.contiguous(), boundaries = boundaries_in.contiguous();
  const auto Bt = time_major(B), Ct = time_major(C);
  const auto batch = u.size(0), width = u.size(1), length = u.size(2), state = A.size(1);

  grads.u = at::empty_like(u);
  grads.dt = at::empty_like(dt);
  grads.dt_a = dt_a.defined() ? at::empty_like(dt_a) : at::Tensor();
  grads.h0 = at::empty({batch, width, state}, u.options());
  auto dA = at::zeros_like(A);
  auto dBt = at::zeros({batch, length, state}, u.options()), dCt = at::zeros({batch, length, state}, u.options());
  std::mutex merge;
  AT_DISPATCH_FLOATING_TYPES(dtype, "lrnn_cpu_selective_scan_backward", [&] {
    const auto p = problem_of<scalar_t>(u, dt, dt_a, A, Bt, Ct, at::Tensor(), chunk);
    const auto* bounds = boundaries.data_ptr<scalar_t>();
    const auto* gy = grad_y.defined() ? grad_y.data_ptr<scalar_t>() : nullptr;
    const auto* gl = grad_last.defined() ? grad_last.data_ptr<scalar_t>() : nullptr;
    auto* du = grads.u.data_ptr<scalar_t>();
    auto* ddt = grads.dt.data_ptr<scalar_t>();
    auto* ddt_a = grads.dt_a.defined() ? grads.dt_a.data_ptr<scalar_t>() : nullptr;
    auto* dh0 = grads.h0.data_ptr<scalar_t>();
    for_mode(mode, [&](auto m) {
      at::parallel_for(0, batch * width, grain_of(length, state), [&](int64_t begin, int64_t end) {
        const int64_t b0 = begin / width, b1 = (end - 1) / width + 1;
        Accumulators<scalar_t> acc{b0, std::vector<scalar_t>(width * state),
                                   std::vector<scalar_t>((b1 - b0) * length * state),
                                   std::vector<scalar_t>((b1 - b0) * length * state)};
        const auto span = std::min(chunk, length) * state;
        std::vector<scalar_t> hs(span), as(span);
        for (int64_t item = begin; item < end; ++item)
          backward_channel<scalar_t, decltype(m)::value>(p, item / width, item % width, bounds, gy, gl, du, ddt, ddt_a,
                                                         dh0, acc, hs.data(), as.data());
        const std::lock_guard<std::mutex> lock(merge);
        auto* a_out = dA.data_ptr<scalar_t>();
        for (size_t i = 0; i < acc.dA.size(); ++i) a_out[i] += acc.dA[i];
        auto* b_out = dBt.data_ptr<scalar_t>() + b0 * length * state;
        auto* c_out = dCt.data_ptr<scalar_t>() + b0 * length * state;
        for (size_t i = 0; i < acc.dB.size(); ++i) {
          b_out[i] += acc.dB[i];
          c_out[i] += acc.dC[i];
        }
      });
    });
  });
  grads.A = dA;
  grads.B = dBt.transpose(1, 2).contiguous();
  grads.C = dCt.transpose(1, 2).contiguous();
  return true;
}

}  // namespace lrnn::cpu_kernels
