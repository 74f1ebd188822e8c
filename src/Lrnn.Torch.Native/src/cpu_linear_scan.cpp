// cpu_kernels.h's linear_scan: h_t = a_t ⊙ h_{t∓1} + b_t along L of (P, L, Q) views, one pass over a and b.
//
// Every (p, q) is an independent recurrence (a "lane"). Lanes are taken in blocks of up to kLanes along the
// fastest dimension (Q, or P when Q is 1) whose states live in a small local array for the whole sequence, so one
// time step is one vectorisable loop over the block; blocks run in parallel (at::parallel_for). Complex numbers are
// (re, im) pairs multiplied out by hand (std::complex's operator* calls a NaN-checking library routine).
#include <ATen/Parallel.h>
#include <ATen/TensorUtils.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "cpu_kernels.h"
#include "cpu_simd.h"

namespace lrnn::cpu_kernels {

namespace {
std::atomic<bool>& switch_state() {
  static std::atomic<bool> on{[] {
    const char* v = std::getenv("LRNN_CPU_KERNELS");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }()};
  return on;
}
}  // namespace

bool enabled() { return switch_state().load(std::memory_order_relaxed); }
bool set_enabled(bool on) { return switch_state().exchange(on); }

namespace {

constexpr int64_t kLanes = 64;

// A (P, L, Q) view of `t` (as_strided), or a contiguous copy when its dimensions do not merge that way.
at::Tensor as_plq(const at::Tensor& t, int64_t p, int64_t l, int64_t q) {
  const std::vector<int64_t> shape{p, l, q};
  if (const auto strides = at::detail::computeStride(t.sizes(), t.strides(), shape))
    return t.as_strided(shape, *strides, t.storage_offset());
  return t.reshape(shape);
}

// Strides in units of the real scalar T (a complex element is two).
struct Lanes {
  int64_t p, l, q;
};
Lanes scalar_strides(const at::Tensor& t, int64_t width) {
  return {t.stride(0) * width, t.stride(1) * width, t.stride(2) * width};
}

// One block of lanes [q0, q0 + n) of row p over the whole sequence. `lane` strides select the block's dimension;
// kUnit: every lane stride is one element (the vectorised case).
template <typename T, bool kComplex, bool kConjA, bool kUnit>
LRNN_CPU_CLONES void scan_block(const T* a, Lanes as, const T* b, Lanes bs, T* out, Lanes os, const T* h0, int64_t h0_stride,
                       T* last, int64_t p, int64_t q0, int64_t n, int64_t length, bool reverse) {
  constexpr int64_t W = kComplex ? 2 : 1;
  T hr[kLanes], hi[kLanes];
  const int64_t aq = kUnit ? W : as.q, bq = kUnit ? W : bs.q, oq = kUnit ? W : os.q;
  for (int64_t j = 0; j < n; ++j) {
    hr[j] = h0 ? h0[(p * h0_stride + q0 + j) * W] : T(0);
    hi[j] = h0 && kComplex ? h0[(p * h0_stride + q0 + j) * W + 1] : T(0);
  }
  for (int64_t k = 0; k < length; ++k) {
    const int64_t t = reverse ? length - 1 - k : k;
    const T* ap = a + p * as.p + t * as.l + q0 * as.q;
    const T* bp = b + p * bs.p + t * bs.l + q0 * bs.q;
    T* op = out + p * os.p + t * os.l + q0 * os.q;
    if constexpr (kComplex) {
      LRNN_SIMD
      for (int64_t j = 0; j < n; ++j) {
        const T ar = ap[j * aq], ai = kConjA ? -ap[j * aq + 1] : ap[j * aq + 1];
        const T r = ar * hr[j] - ai * hi[j] + bp[j * bq];
        const T i = ar * hi[j] + ai * hr[j] + bp[j * bq + 1];
        hr[j] = r;
        hi[j] = i;
        op[j * oq] = r;
        op[j * oq + 1] = i;
      }
    } else {
      LRNN_SIMD
      for (int64_t j = 0; j < n; ++j) {
        hr[j] = ap[j * aq] * hr[j] + bp[j * bq];
        op[j * oq] = hr[j];
      }
    }
  }
  for (int64_t j = 0; j < n; ++j) {
    last[(p * h0_stride + q0 + j) * W] = hr[j];
    if constexpr (kComplex) last[(p * h0_stride + q0 + j) * W + 1] = hi[j];
  }
}

template <typename T, bool kComplex, bool kConjA>
void scan_all(const T* a, Lanes as, const T* b, Lanes bs, T* out, Lanes os, const T* h0, T* last,
                              int64_t rows, int64_t length, int64_t width, bool reverse) {
  constexpr int64_t W = kComplex ? 2 : 1;
  const bool unit = width == 1 || (as.q == W && bs.q == W && os.q == W);
  const int64_t blocks = (width + kLanes - 1) / kLanes;
  // Small problems run on the calling thread: a parallel region costs more than a few thousand steps.
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, length * std::min(width, kLanes)));
  at::parallel_for(0, rows * blocks, grain, [&](int64_t begin, int64_t end) {
    for (int64_t item = begin; item < end; ++item) {
      const int64_t p = item / blocks, q0 = (item % blocks) * kLanes, n = std::min(kLanes, width - q0);
      if (unit)
        scan_block<T, kComplex, kConjA, true>(a, as, b, bs, out, os, h0, width, last, p, q0, n, length, reverse);
      else
        scan_block<T, kComplex, kConjA, false>(a, as, b, bs, out, os, h0, width, last, p, q0, n, length, reverse);
    }
  });
}

template <typename T, bool kComplex>
void dispatch_conj(bool conj_a, const T* a, Lanes as, const T* b, Lanes bs, T* out, Lanes os, const T* h0, T* last,
                   int64_t rows, int64_t length, int64_t width, bool reverse) {
  if (conj_a) scan_all<T, kComplex, true>(a, as, b, bs, out, os, h0, last, rows, length, width, reverse);
  else scan_all<T, kComplex, false>(a, as, b, bs, out, os, h0, last, rows, length, width, reverse);
}

}  // namespace

bool linear_scan(const at::Tensor& a_in, const at::Tensor& b_in, const at::Tensor& h_init, at::Tensor& out,
                 int64_t dim, bool reverse, at::Tensor& last) {
  if (!enabled() || !out.device().is_cpu() || !a_in.device().is_cpu() || !b_in.device().is_cpu() ||
      (h_init.defined() && !h_init.device().is_cpu()))
    return false;
  const auto dtype = out.scalar_type();
  if (dtype != at::kFloat && dtype != at::kDouble && dtype != at::kComplexFloat && dtype != at::kComplexDouble)
    return false;
  if (a_in.scalar_type() != dtype || b_in.scalar_type() != dtype || out.is_conj() || out.is_neg() ||
      (h_init.defined() && h_init.scalar_type() != dtype))
    return false;

  const auto sizes = out.sizes();
  int64_t rows = 1, width = 1;
  for (int64_t d = 0; d < dim; ++d) rows *= sizes[d];
  for (int64_t d = dim + 1; d < out.dim(); ++d) width *= sizes[d];
  const auto length = sizes[dim];
  // out must be written in place: decline a layout that does not merge to (P, L, Q) (never the case for the scans'
  // own buffers).
  const std::vector<int64_t> plq{rows, length, width};
  if (!at::detail::computeStride(out.sizes(), out.strides(), plq)) return false;
  auto o = as_plq(out, rows, length, width);
  const bool conj_a = a_in.is_conj();
  const auto a = as_plq(conj_a ? a_in.conj().resolve_neg() : a_in.resolve_neg(), rows, length, width);
  const auto b = as_plq(b_in.resolve_conj().resolve_neg(), rows, length, width);
  const auto h0 = h_init.defined() ? h_init.resolve_conj().resolve_neg().contiguous() : h_init;

  // With one lane per row, the rows are the lanes: (P, L, 1) becomes (1, L, P).
  auto lanes = [width](const at::Tensor& t, int64_t w) {
    const auto s = scalar_strides(t, w);
    return width == 1 ? Lanes{0, s.l, s.p} : s;
  };
  const int64_t lane_rows = width == 1 ? 1 : rows, lane_width = width == 1 ? rows : width;
  auto shape_last = sizes.vec();
  shape_last.erase(shape_last.begin() + dim);
  last = at::empty(shape_last, out.options());

  const bool complex = at::isComplexType(dtype);
  const int64_t w = complex ? 2 : 1;
  AT_DISPATCH_FLOATING_TYPES(complex ? c10::toRealValueType(dtype) : dtype, "lrnn_cpu_linear_scan", [&] {
    const auto* ap = static_cast<const scalar_t*>(a.data_ptr());
    const auto* bp = static_cast<const scalar_t*>(b.data_ptr());
    auto* op = static_cast<scalar_t*>(o.data_ptr());
    const auto* hp = h0.defined() ? static_cast<const scalar_t*>(h0.data_ptr()) : nullptr;
    auto* lp = static_cast<scalar_t*>(last.data_ptr());
    if (complex)
      dispatch_conj<scalar_t, true>(conj_a, ap, lanes(a, w), bp, lanes(b, w), op, lanes(o, w), hp, lp, lane_rows,
                                    length, lane_width, reverse);
    else
      dispatch_conj<scalar_t, false>(false, ap, lanes(a, w), bp, lanes(b, w), op, lanes(o, w), hp, lp, lane_rows,
                                     length, lane_width, reverse);
  });
  return true;
}

}  // namespace lrnn::cpu_kernels
