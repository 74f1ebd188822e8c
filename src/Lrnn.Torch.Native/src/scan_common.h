// The chunked linear scan h_t = a_t ⊙ h_{t−1} + b_t shared by linear_scan.cpp and selective_scan.cpp.
//
// Algorithm: the exact two-level block scan described in docs/scans.md, arranged so that the
// full-size tensors are read twice and the states written once, with no division (complex a and decays
// that underflow to 0 are fine) and no full-size temporaries:
//   1. per chunk of Q steps, from zero: the end state s_i (Q steps over (…, nc, …) slices, into a small
//      buffer) and the decay product p_i = Π a (one reduction over the chunk axis);
//   2. carries into each chunk: c_i = p_{i−1} ⊙ c_{i−1} + s_{i−1}, c_0 = h_init (nc steps over one slice);
//   3. per chunk again, the true states from the carry: h = a ⊙ h_prev + b, written straight into `out`.
// Steps that do not fill a whole chunk run one by one after the chunks. Everything is ATen ops on strided
// views (no transposes, no padding copies), so the same code runs on CPU and CUDA; a, b and out may be
// broadcast (stride 0) or conjugate views. On CUDA a hand-written kernel (src/cuda/scan.cu) runs instead when the
// build has it: the ATen version's O(√L) small launches make it launch-bound there. On the CPU cpu_linear_scan.cpp
// runs instead (one pass with the states in registers; LRNN_CPU_KERNELS=0 keeps this version, the reference).
#pragma once
#include "common.h"
#include "cpu_kernels.h"
#include "kernels.h"

#include <algorithm>
#include <cmath>

namespace lrnn::scan {

// The chunk length Q minimising the number of sequential steps, Q (pass 1) + nc (pass 2) + Q (pass 3) +
// the ragged tail, near √(L/2). Launch count, not arithmetic, bounds these scans at the sizes we run.
inline int64_t chunk_length(int64_t length) {
  if (length < 16) return length;  // one chunk: every step runs one by one from h_init
  const auto cost = [length](int64_t q) { return 2 * q + length / q + length % q; };
  const auto guess = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(length) / 2.0)));
  auto best = guess;
  for (auto q = std::max<int64_t>(2, guess / 2); q <= 2 * guess; ++q)
    if (cost(q) < cost(best)) best = q;
  return best;
}

// Splits `dim` (of length nc·Q after narrowing to the chunked range) into (nc, Q): always a view.
inline at::Tensor split_chunks(const at::Tensor& t, int64_t dim, int64_t start, int64_t chunks, int64_t q) {
  auto sizes = t.sizes().vec();
  sizes[dim] = q;
  sizes.insert(sizes.begin() + dim, chunks);
  return t.narrow(dim, start, chunks * q).view(sizes);
}

// Runs h_t = a_t ⊙ h_{t∓1} + b_t along `dim` (forward in time, or backward when `reverse`: then h_t
// depends on h_{t+1}), from `h_init` (undefined: zero), writing every state into `out` and returning the
// last state computed (a new tensor, shape of `out` without `dim`). a and b have out's shape (views are
// fine); out is in the accumulation dtype.
inline at::Tensor scan_into(const at::Tensor& a, const at::Tensor& b, const at::Tensor& h_init, at::Tensor& out,
                            int64_t dim, bool reverse) {
  if (at::Tensor last; kernels::linear_scan(a, b, h_init, out, dim, reverse, last)) return last;  // CUDA only
  if (at::Tensor last; cpu_kernels::linear_scan(a, b, h_init, out, dim, reverse, last)) return last;  // CPU only
  const auto length = out.size(dim);
  const auto q = chunk_length(length);
  const auto chunks = q > 0 ? length / q : 0;
  const auto ragged = length - chunks * q;

  // Forward: the chunks cover [0, nc·Q) and the ragged steps follow; backward: the chunks cover the last
  // nc·Q steps and the ragged steps are the first ones, visited last.
  const auto chunk_start = reverse ? ragged : 0;
  at::Tensor state = h_init;  // (…) without dim; undefined = 0
  if (chunks > 0) {
    const auto A = split_chunks(a, dim, chunk_start, chunks, q);  // (…, nc, Q, …)
    const auto B = split_chunks(b, dim, chunk_start, chunks, q);
    auto H = split_chunks(out, dim, chunk_start, chunks, q);
    const auto step = [&](int64_t k) { return reverse ? q - 1 - k : k; };

    // 1. End state and decay product of every chunk, each from a zero state (not needed with one chunk).
    const auto first = B.select(dim + 1, step(0));  // (…, nc, …)
    at::Tensor s, p;
    if (chunks > 1) {
      s = first.to(out.scalar_type(), /*non_blocking=*/false, /*copy=*/true);
      for (int64_t k = 1; k < q; ++k) at::addcmul_out(s, B.select(dim + 1, step(k)), A.select(dim + 1, step(k)), s);
      p = A.prod(dim + 1, /*keepdim=*/false, out.scalar_type());
    }

    // 2. The state entering each chunk, in scan order.
    auto carry = at::empty(first.sizes(), out.options());  // (…, nc, …)
    const auto chunk = [&](int64_t i) { return reverse ? chunks - 1 - i : i; };
    if (state.defined()) carry.select(dim, chunk(0)).copy_(state);
    else carry.select(dim, chunk(0)).zero_();
    for (int64_t i = 1; i < chunks; ++i) {
      auto c = carry.select(dim, chunk(i));
      at::addcmul_out(c, s.select(dim, chunk(i - 1)), p.select(dim, chunk(i - 1)), carry.select(dim, chunk(i - 1)));
    }

    // 3. Every state, from the carries.
    auto prev = carry;
    for (int64_t k = 0; k < q; ++k) {
      auto h_k = H.select(dim + 1, step(k));
      at::addcmul_out(h_k, B.select(dim + 1, step(k)), A.select(dim + 1, step(k)), prev);
      prev = h_k;
    }
    state = H.select(dim + 1, step(q - 1)).select(dim, chunk(chunks - 1));
  }

  // The ragged steps, one by one.
  for (int64_t k = 0; k < ragged; ++k) {
    const auto t = reverse ? ragged - 1 - k : chunks * q + k;
    auto h_t = out.select(dim, t);
    if (state.defined()) at::addcmul_out(h_t, b.select(dim, t), a.select(dim, t), state);
    else h_t.copy_(b.select(dim, t));
    state = h_t;
  }
  return state.clone();
}

}  // namespace lrnn::scan
