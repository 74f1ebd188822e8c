// The hand-written CPU kernels (cpu_linear_scan.cpp, cpu_selective_scan.cpp), seen from the ATen side: the CPU
// counterpart of kernels.h. Each entry point runs on the calling thread plus ATen's intra-op pool (at::parallel_for)
// and returns true, or returns false without touching anything when it does not apply (a tensor off the CPU, a dtype
// it does not take, or LRNN_CPU_KERNELS=0 in the environment), so the caller runs its ATen version, which stays the
// reference: the tests run both (docs/scans.md).
//
// Why they exist: the ATen scans are O(√L) sequential rounds of element-wise ops over strided views, and the
// selective scan's ATen version materialises Ā, B̄u and h at (B, T, D, N) per chunk. On a CPU each of those ops is a
// pass over memory with little arithmetic per byte; a loop over (batch, channel) that keeps the state in registers
// does the same arithmetic in one pass over the inputs.
#pragma once
#include "common.h"

namespace lrnn::cpu_kernels {

// Whether they run: LRNN_CPU_KERNELS≠0 in the environment at first use, or the last set_enabled.
bool enabled();
// Switches them on or off for the whole process (the tests compare them with the ATen versions); returns the old state.
bool set_enabled(bool on);

// scan_common.h's scan_into on the CPU, with kernels::linear_scan's contract: a, b: out's shape (any views; a may be
// a conjugate or broadcast view); h_init: out's shape without `dim`, or undefined; out: float32/64 or complex64/128.
// On success `last` is the last state computed (a new tensor).
bool linear_scan(const at::Tensor& a, const at::Tensor& b, const at::Tensor& h_init, at::Tensor& out, int64_t dim,
                 bool reverse, at::Tensor& last);

// The selective scan of selective_scan.cpp (its comment has the formulas; `mode` is its Discretization: 0 mamba,
// 1 zoh, 2 bilinear, 3 dirac), for float32/float64 CPU tensors of one dtype:
// u, dt: (B, D, L); dt_a: (B, D, L) or undefined (= dt); A: (D, N); B, C: (B, N, L); h0: (B, D, N) or undefined.
// Forward writes y (B, D, L) = Σ_n C·h, last (B, D, N) and the state entering every chunk of `chunk` steps into
// boundaries (B, D, nc, N), the same record the ATen version keeps.
bool selective_scan_forward(const at::Tensor& u, const at::Tensor& dt, const at::Tensor& dt_a, const at::Tensor& A,
                            const at::Tensor& B, const at::Tensor& C, const at::Tensor& h0, int64_t mode, int64_t chunk,
                            at::Tensor& y, at::Tensor& last, at::Tensor& boundaries);

// The gradients of that forward from grad_y (B, D, L) and grad_last (B, D, N) (either may be undefined): recomputes
// each chunk's states from its boundary (no (B, D, L, N) tensor). grad_dt_a is written only when dt_a is defined;
// grad_h0 is the gradient of the state entering the sequence.
struct SelectiveScanGrads {
  at::Tensor u, dt, dt_a, A, B, C, h0;
};
bool selective_scan_backward(const at::Tensor& u, const at::Tensor& dt, const at::Tensor& dt_a, const at::Tensor& A,
                             const at::Tensor& B, const at::Tensor& C, const at::Tensor& boundaries, int64_t mode,
                             int64_t chunk, const at::Tensor& grad_y, const at::Tensor& grad_last,
                             SelectiveScanGrads& grads);

}  // namespace lrnn::cpu_kernels
