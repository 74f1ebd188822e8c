// kernels.h: tensors → raw pointers, strides and the current stream for the launchers of src/cuda/launch.h. In a
// build without the kernels (a CPU libtorch, or no nvcc: LRNN_WITH_CUDA_KERNELS undefined) every entry point declines.
#include "kernels.h"

#ifdef LRNN_WITH_CUDA_KERNELS
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "cuda/launch.h"

namespace lrnn::kernels {

bool enabled() {
  static const bool on = [] {
    const char* v = std::getenv("LRNN_CUDA_KERNELS");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }();
  return on;
}

namespace {

using launch::Scalar;

c10::optional<Scalar> scalar_of(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return Scalar::Float32;
    case at::kDouble: return Scalar::Float64;
    case at::kComplexFloat: return Scalar::Complex64;
    case at::kComplexDouble: return Scalar::Complex128;
    case at::kBFloat16: return Scalar::BFloat16;
    case at::kHalf: return Scalar::Float16;
    default: return c10::nullopt;
  }
}

// The one stride of dimensions [begin, end) taken together, or nullopt when they do not collapse into one (size-1
// dimensions are free; a group of only size-1 dimensions has stride 0).
c10::optional<int64_t> collapsed_stride(const at::Tensor& t, int64_t begin, int64_t end) {
  int64_t stride = 0, span = 1;
  bool any = false;
  for (int64_t d = end - 1; d >= begin; --d) {
    if (t.size(d) == 1) continue;
    if (!any) {
      stride = t.stride(d);
      span = t.stride(d) * t.size(d);
      any = true;
    } else if (t.stride(d) != span) {
      return c10::nullopt;
    } else {
      span *= t.size(d);
    }
  }
  return stride;
}

c10::optional<launch::Strides3> as_plq(const at::Tensor& t, int64_t dim) {
  const auto p = collapsed_stride(t, 0, dim), q = collapsed_stride(t, dim + 1, t.dim());
  if (!p || !q) return c10::nullopt;
  return launch::Strides3{*p, t.stride(dim), *q};
}

void check(const char* error) { TORCH_CHECK(error == nullptr, "CUDA kernel failed: ", error); }

// The logits the cross-entropy kernels take: float32/bfloat16/float16 rows with unit column stride.
c10::optional<Scalar> logits_scalar(const at::Tensor& z) {
  if (!z.is_cuda() || z.dim() != 2 || z.stride(1) != 1 || z.is_conj() || z.is_neg()) return c10::nullopt;
  const auto dtype = scalar_of(z.scalar_type());
  if (dtype == Scalar::Float32 || dtype == Scalar::BFloat16 || dtype == Scalar::Float16) return dtype;
  return c10::nullopt;
}

// Every defined tensor a kernel will read or write through a raw pointer is on `ref`'s CUDA device. A kernel handed a
// host pointer (a CPU scalar or cache state that ATen would broadcast or reject) faults and loses the CUDA context, so
// each entry point declines instead.
bool on_device(const at::Tensor& ref, std::initializer_list<const at::Tensor*> tensors) {
  if (!ref.is_cuda()) return false;
  for (const auto* t : tensors)
    if (t->defined() && t->device() != ref.device()) return false;
  return true;
}

// Per-row statistics the kernels read or write: contiguous float32.
bool float32_rows(std::initializer_list<const at::Tensor*> tensors) {
  for (const auto* t : tensors)
    if (!t->is_contiguous() || t->scalar_type() != at::kFloat) return false;
  return true;
}

}  // namespace

bool linear_scan(const at::Tensor& a_in, const at::Tensor& b_in, const at::Tensor& h_init, at::Tensor& out,
                 int64_t dim, bool reverse, at::Tensor& last) {
  if (!enabled() || !on_device(out, {&a_in, &b_in, &h_init})) return false;
  const auto dtype = scalar_of(out.scalar_type());
  if (!dtype || *dtype == Scalar::BFloat16 || *dtype == Scalar::Float16) return false;
  if (a_in.scalar_type() != out.scalar_type() || b_in.scalar_type() != out.scalar_type() || out.is_conj() ||
      (h_init.defined() && h_init.scalar_type() != out.scalar_type()))
    return false;
  const auto out_strides = as_plq(out, dim);
  if (!out_strides) return false;
  // a and b may be any view; one that does not collapse to (P, L, Q) is copied (a rare layout, not the hot path).
  // A conjugate view is read through (conj_a); the negative bit is resolved first.
  auto a = a_in.resolve_neg();
  auto a_strides = as_plq(a, dim);
  if (!a_strides) {
    a = a.contiguous();
    a_strides = as_plq(a, dim);
  }
  auto b = b_in.resolve_conj().resolve_neg();
  auto b_strides = as_plq(b, dim);
  if (!b_strides) {
    b = b.contiguous();
    b_strides = as_plq(b, dim);
  }
  const auto h0 = h_init.defined() ? h_init.resolve_conj().resolve_neg() : h_init;
  at::Tensor h_used;   // lives until the launch: the kernel reads it through problem.h_init

  const c10::cuda::CUDAGuard guard(out.device());
  int64_t P = 1, Q = 1;
  for (int64_t d = 0; d < dim; ++d) P *= out.size(d);
  for (int64_t d = dim + 1; d < out.dim(); ++d) Q *= out.size(d);
  auto last_sizes = out.sizes().vec();
  last_sizes.erase(last_sizes.begin() + dim);
  last = at::empty(last_sizes, out.options());

  launch::ScanProblem problem{};
  problem.dtype = *dtype;
  problem.P = P;
  problem.L = out.size(dim);
  problem.Q = Q;
  problem.a = a.data_ptr();
  problem.a_strides = *a_strides;
  problem.b = b.data_ptr();
  problem.b_strides = *b_strides;
  problem.out = out.data_ptr();
  problem.out_strides = *out_strides;
  if (h0.defined()) {
    // h_init has out's shape without dim: view it as (P, 1, Q) to reuse the collapse rules.
    const auto h3 = h0.unsqueeze(dim);
    const auto hs = as_plq(h3, dim);
    h_used = hs ? h3 : h3.contiguous();
    const auto h_strides = hs ? *hs : *as_plq(h_used, dim);
    problem.h_init = h_used.data_ptr();
    problem.h_init_p = h_strides.p;
    problem.h_init_q = h_strides.q;
  }
  problem.last = last.data_ptr();
  problem.reverse = reverse;
  problem.conj_a = a.is_conj();
  problem.multiprocessors = at::cuda::getCurrentDeviceProperties()->multiProcessorCount;

  const auto workspace_bytes = launch::linear_scan_workspace_bytes(problem);
  const auto workspace = workspace_bytes > 0 ? at::empty({workspace_bytes}, out.options().dtype(at::kByte)) : at::Tensor();
  check(launch::linear_scan(problem, workspace.defined() ? workspace.data_ptr() : nullptr,
                            at::cuda::getCurrentCUDAStream().stream()));
  return true;
}

bool row_logsumexp(const at::Tensor& z, const at::Tensor& labels, int64_t label_offset, at::Tensor& lse,
                   at::Tensor& target, const at::Tensor& row_sum) {
  const auto dtype = enabled() ? logits_scalar(z) : c10::nullopt;
  if (!dtype || !on_device(z, {&labels, &lse, &target, &row_sum}) || !labels.is_contiguous() ||
      !float32_rows({&lse, &target}) || (row_sum.defined() && !float32_rows({&row_sum})))
    return false;
  const c10::cuda::CUDAGuard guard(z.device());
  check(launch::row_logsumexp(*dtype, z.data_ptr(), z.size(0), z.size(1), z.stride(0), labels.data_ptr<int64_t>(),
                              label_offset, lse.data_ptr<float>(), target.data_ptr<float>(),
                              row_sum.defined() ? row_sum.data_ptr<float>() : nullptr,
                              at::cuda::getCurrentCUDAStream().stream()));
  return true;
}

bool cross_entropy_grad(const at::Tensor& z, const at::Tensor& lse, const at::Tensor& coef, const at::Tensor& shift,
                        const at::Tensor& onehot, const at::Tensor& labels, int64_t label_offset, at::Tensor& g) {
  const auto dtype = enabled() ? logits_scalar(z) : c10::nullopt;
  if (!dtype || !on_device(z, {&lse, &coef, &shift, &onehot, &labels, &g}) || g.stride(1) != 1 ||
      g.scalar_type() != z.scalar_type() || !labels.is_contiguous() || !float32_rows({&lse, &coef, &shift, &onehot}))
    return false;
  const c10::cuda::CUDAGuard guard(z.device());
  check(launch::cross_entropy_grad(*dtype, z.data_ptr(), z.size(0), z.size(1), z.stride(0), lse.data_ptr<float>(),
                                   coef.data_ptr<float>(), shift.data_ptr<float>(), onehot.data_ptr<float>(),
                                   labels.data_ptr<int64_t>(), label_offset, g.data_ptr(), g.stride(0),
                                   at::cuda::getCurrentCUDAStream().stream()));
  return true;
}

at::Tensor fft_causal_conv(const at::Tensor& u, const at::Tensor& k, bool reverse, int gelus) {
  if (!enabled() || !on_device(u, {&k}) || u.scalar_type() != at::kFloat || k.scalar_type() != at::kFloat || u.is_neg() ||
      u.dim() != 3 || k.dim() != 3)
    return at::Tensor();
  const auto length = u.size(1);
  if (length < 1 || 2 * length > launch::kFftConvLength || gelus < 0 || gelus > 2) return at::Tensor();
  const c10::cuda::CUDAGuard guard(u.device());
  auto out = at::empty({u.size(0), length, k.size(0), u.size(2)}, u.options());   // (B, L, C, H)
  // The kernel spectrum at the kernel's transform length, unscaled: the kernel applies the inverse's 1/N.
  const auto khat = at::fft_rfft(k.narrow(2, 0, length), launch::kFftConvLength, -1).contiguous();
  launch::FftConvProblem problem{};
  problem.B = u.size(0);
  problem.L = length;
  problem.C = k.size(0);
  problem.H = u.size(2);
  // A reversed pass starts both rows at t = L − 1 and walks them backwards.
  const int64_t flip = reverse ? -1 : 1;
  problem.u = u.data_ptr<float>() + (reverse ? (length - 1) * u.stride(1) : 0);
  problem.u_sb = u.stride(0);
  problem.u_st = flip * u.stride(1);
  problem.u_sh = u.stride(2);
  problem.khat = khat.data_ptr();
  problem.out = out.data_ptr<float>() + (reverse ? (length - 1) * out.stride(1) : 0);
  problem.o_sb = out.stride(0);
  problem.o_st = flip * out.stride(1);
  problem.o_sc = out.stride(2);
  problem.o_sh = out.stride(3);
  problem.gelus = gelus;
  check(launch::fft_causal_conv(problem, at::cuda::getCurrentCUDAStream().stream()));
  return out;
}

at::Tensor real_modes_to_time(const at::Tensor& w, const at::Tensor& log_lambda, int64_t length, const at::Tensor& at_zero) {
  if (!enabled() || !on_device(w, {&log_lambda, &at_zero}) || w.scalar_type() != at::kComplexFloat || log_lambda.scalar_type() != at::kComplexFloat ||
      log_lambda.dim() != 2 || w.dim() < 2 || w.size(-2) != log_lambda.size(0) || w.size(-1) != log_lambda.size(1) ||
      log_lambda.size(1) > launch::kMaxModes || length < 1 || length > launch::kMaxModesToTimeLength || w.numel() == 0)
    return at::Tensor();
  if (at_zero.defined() && (at_zero.scalar_type() != at::kFloat ||
                            at_zero.sizes() != w.sizes().slice(0, w.dim() - 1)))
    return at::Tensor();
  const c10::cuda::CUDAGuard guard(w.device());
  const auto weights = w.resolve_conj().resolve_neg().contiguous();
  const auto logs = log_lambda.resolve_conj().resolve_neg().contiguous();
  const auto zero_term = at_zero.defined() ? at_zero.contiguous() : at::Tensor();
  auto sizes = w.sizes().vec();
  sizes.back() = length;
  auto out = at::empty(sizes, w.options().dtype(at::kFloat));   // (..., H, L)
  const auto H = log_lambda.size(0), N = log_lambda.size(1);
  check(launch::real_modes_to_time(weights.data_ptr(), logs.data_ptr(),
                                   zero_term.defined() ? zero_term.data_ptr<float>() : nullptr, w.numel() / (H * N), H,
                                   N, length, out.data_ptr<float>(), at::cuda::getCurrentCUDAStream().stream()));
  return out;
}

namespace {

launch::StridesBXL strides_bxl(const at::Tensor& t) {
  return t.defined() ? launch::StridesBXL{t.stride(0), t.stride(1), t.stride(2)} : launch::StridesBXL{0, 0, 0};
}
const void* pointer_or_null(const at::Tensor& t) { return t.defined() ? t.data_ptr() : nullptr; }
const float* float_or_null(const at::Tensor& t) { return t.defined() ? t.data_ptr<float>() : nullptr; }
at::Tensor as_float32(const at::Tensor& t) { return t.defined() ? t.to(at::kFloat).contiguous() : t; }

// A (B, X, L) tensor laid out (B, L, X) in memory, as the time-major callers read it next.
at::Tensor time_major_empty(const at::Tensor& like, at::ScalarType dtype) {
  return at::empty({like.size(0), like.size(2), like.size(1)}, like.options().dtype(dtype)).transpose(1, 2);
}

bool low_precision_float(at::ScalarType t) { return t == at::kFloat || t == at::kBFloat16 || t == at::kHalf; }

// The launch arguments; A, D, bias and h0 are the float32 copies the caller keeps alive until the launch.
launch::SelectiveScanProblem selective_scan_problem(const SelectiveScanInputs& in, const at::Tensor& A,
                                                    const at::Tensor& D, const at::Tensor& bias, const at::Tensor& h0,
                                                    const at::Tensor& chunk_states) {
  launch::SelectiveScanProblem p{};
  p.dtype = *scalar_of(in.u.scalar_type());
  p.discretization = static_cast<int32_t>(in.mode);
  p.softplus = in.softplus;
  p.batch = in.u.size(0);
  p.width = in.u.size(1);
  p.length = in.u.size(2);
  p.state = in.A.size(1);
  p.u = in.u.data_ptr();
  p.u_s = strides_bxl(in.u);
  p.delta = in.delta.data_ptr();
  p.delta_s = strides_bxl(in.delta);
  p.delta_a = pointer_or_null(in.delta_a);
  p.delta_a_s = strides_bxl(in.delta_a);
  p.z = pointer_or_null(in.z);
  p.z_s = strides_bxl(in.z);
  p.B = in.B.data_ptr();
  p.B_s = strides_bxl(in.B);
  p.C = in.C.data_ptr();
  p.C_s = strides_bxl(in.C);
  p.A = A.data_ptr<float>();
  p.D_skip = float_or_null(D);
  p.delta_bias = float_or_null(bias);
  p.h0 = float_or_null(h0);
  p.chunk_states = chunk_states.defined() ? chunk_states.data_ptr<float>() : nullptr;
  return p;
}

}  // namespace

bool selective_scan_applies(const SelectiveScanInputs& in) {
  if (!enabled() || !on_device(in.u, {&in.delta, &in.A, &in.B, &in.C, &in.D, &in.z, &in.delta_bias, &in.h0, &in.delta_a}))
    return false;
  const auto dtype = in.u.scalar_type();
  if (!low_precision_float(dtype) || !low_precision_float(in.A.scalar_type()) || in.mode < 0 || in.mode > 3) return false;
  for (const auto* t : {&in.u, &in.delta, &in.B, &in.C, &in.z, &in.delta_a})
    if (t->defined() && (t->scalar_type() != dtype || t->dim() != 3 || t->is_neg() || t->is_conj())) return false;
  for (const auto* t : {&in.A, &in.D, &in.delta_bias, &in.h0})
    if (t->defined() && !t->is_floating_point()) return false;
  return in.A.dim() == 2 && in.A.size(1) >= 1 && in.A.size(1) <= launch::kSelectiveScanMaxState && in.u.numel() > 0 &&
         in.u.size(0) <= 65535;
}

bool selective_scan_forward(const SelectiveScanInputs& in, bool keep_states, at::Tensor& y, at::Tensor& h_last,
                            at::Tensor& chunk_states) {
  if (!selective_scan_applies(in)) return false;
  const c10::cuda::CUDAGuard guard(in.u.device());
  const auto batch = in.u.size(0), width = in.u.size(1), length = in.u.size(2), state = in.A.size(1);
  const auto floats = in.u.options().dtype(at::kFloat);
  const auto A = as_float32(in.A), D = as_float32(in.D), bias = as_float32(in.delta_bias), h0 = as_float32(in.h0);
  y = time_major_empty(in.u, in.u.scalar_type());
  h_last = at::empty({batch, width, state}, floats);
  chunk_states = keep_states ? at::empty({batch, width, launch::selective_scan_chunks(length), state}, floats) : at::Tensor();
  const auto problem = selective_scan_problem(in, A, D, bias, h0, chunk_states);
  check(launch::selective_scan_forward(problem, y.data_ptr(), strides_bxl(y), h_last.data_ptr<float>(),
                                       at::cuda::getCurrentCUDAStream().stream()));
  return true;
}

bool selective_scan_backward(const SelectiveScanInputs& in, const at::Tensor& chunk_states, const at::Tensor& grad_y_in,
                             const at::Tensor& grad_last_in, SelectiveScanGradients& grads) {
  if (!selective_scan_applies(in) || !chunk_states.defined() || !on_device(in.u, {&chunk_states, &grad_y_in, &grad_last_in}))
    return false;
  const c10::cuda::CUDAGuard guard(in.u.device());
  const auto dtype = in.u.scalar_type();
  const auto batch = in.u.size(0), width = in.u.size(1), length = in.u.size(2), state = in.A.size(1);
  const auto floats = in.u.options().dtype(at::kFloat);
  const auto grad_y = grad_y_in.defined() ? grad_y_in.to(dtype).resolve_conj().resolve_neg() : at::Tensor();
  const auto grad_last = as_float32(grad_last_in);
  const auto A = as_float32(in.A), D = as_float32(in.D), bias = as_float32(in.delta_bias);
  const auto tiles = launch::selective_scan_tiles(width, state);

  grads.u = time_major_empty(in.u, dtype);
  grads.delta = time_major_empty(in.u, dtype);
  grads.z = in.z.defined() ? time_major_empty(in.u, dtype) : at::Tensor();
  grads.delta_a = in.delta_a.defined() ? time_major_empty(in.u, dtype) : at::Tensor();
  const auto dB = at::empty({batch, tiles, length, state}, floats), dC = at::empty({batch, tiles, length, state}, floats);
  const auto dA = at::empty({batch, width, state}, floats);
  const auto dD = at::empty({batch, width}, floats), dbias = at::empty({batch, width}, floats);
  const auto dh0 = in.h0.defined() ? at::empty({batch, width, state}, floats) : at::Tensor();

  launch::SelectiveScanGrads g{};
  g.grad_y = pointer_or_null(grad_y);
  g.grad_y_s = strides_bxl(grad_y);
  g.grad_last = float_or_null(grad_last);
  g.du = grads.u.data_ptr();
  g.du_s = strides_bxl(grads.u);
  g.ddelta = grads.delta.data_ptr();
  g.ddelta_s = strides_bxl(grads.delta);
  g.dz = grads.z.defined() ? grads.z.data_ptr() : nullptr;
  g.dz_s = strides_bxl(grads.z);
  g.ddelta_a = grads.delta_a.defined() ? grads.delta_a.data_ptr() : nullptr;
  g.ddelta_a_s = strides_bxl(grads.delta_a);
  g.dB_part = dB.data_ptr<float>();
  g.dC_part = dC.data_ptr<float>();
  g.dA_part = dA.data_ptr<float>();
  g.dD_part = dD.data_ptr<float>();
  g.dbias_part = dbias.data_ptr<float>();
  g.dh0 = dh0.defined() ? dh0.data_ptr<float>() : nullptr;
  const auto problem = selective_scan_problem(in, A, D, bias, at::Tensor(), chunk_states);   // h0 unread
  check(launch::selective_scan_backward(problem, g, at::cuda::getCurrentCUDAStream().stream()));

  // Sums over the channel tiles (B), the sequences (A, D, bias); back to each input's dtype and (B, N, L) shape.
  grads.B = dB.sum(1).transpose(1, 2).to(in.B.scalar_type());
  grads.C = dC.sum(1).transpose(1, 2).to(in.C.scalar_type());
  grads.A = dA.sum(0).to(in.A.scalar_type());
  grads.D = in.D.defined() ? dD.sum(0).to(in.D.scalar_type()) : at::Tensor();
  grads.delta_bias = in.delta_bias.defined() ? dbias.sum(0).to(in.delta_bias.scalar_type()) : at::Tensor();
  grads.h0 = in.h0.defined() ? dh0.to(in.h0.scalar_type()) : at::Tensor();
  return true;
}

}  // namespace lrnn::kernels
#else
namespace lrnn::kernels {

bool enabled() { return false; }
bool linear_scan(const at::Tensor&, const at::Tensor&, const at::Tensor&, at::Tensor&, int64_t, bool, at::Tensor&) {
  return false;
}
bool row_logsumexp(const at::Tensor&, const at::Tensor&, int64_t, at::Tensor&, at::Tensor&, const at::Tensor&) {
  return false;
}
bool cross_entropy_grad(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&,
                        const at::Tensor&, int64_t, at::Tensor&) {
  return false;
}
at::Tensor fft_causal_conv(const at::Tensor&, const at::Tensor&, bool, int) { return at::Tensor(); }
at::Tensor real_modes_to_time(const at::Tensor&, const at::Tensor&, int64_t, const at::Tensor&) { return at::Tensor(); }
bool selective_scan_applies(const SelectiveScanInputs&) { return false; }
bool selective_scan_forward(const SelectiveScanInputs&, bool, at::Tensor&, at::Tensor&, at::Tensor&) { return false; }
bool selective_scan_backward(const SelectiveScanInputs&, const at::Tensor&, const at::Tensor&, const at::Tensor&,
                             SelectiveScanGradients&) {
  return false;
}

}  // namespace lrnn::kernels
#endif
