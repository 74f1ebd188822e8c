// selective_scan: Mamba's input-dependent scan (S6) in mamba_ssm's layout, with a hand-written backward that
// never holds the (B, D, L, N) state.
//
//   Δ = softplus?(delta + deltaBias),  Ā_t = f(Δᴬ_t·A),  B̄_t u_t = g(Δ_t, A)·B_t·u_t  (per d, n),
//   h_t = Ā_t ⊙ h_{t−1} + B̄_t u_t,     y_t = (Σ_n C_t[n]·h_t[·, n] + D ⊙ u_t) ⊙ silu(z_t),
// with Δᴬ = deltaA in event mode (as given: the caller has already scaled it) and Δ otherwise, and
//   mamba:    Ā = e^{ΔᴬA},              B̄ = Δ·B
//   zoh:      Ā = e^{ΔᴬA},              B̄ = (e^{ΔA} − 1)/A · B
//   bilinear: Ā = (1 + ΔᴬA/2)/(1 − ΔᴬA/2), B̄ = Δ/(1 − ΔA/2) · B
//   dirac:    Ā = e^{ΔᴬA},              B̄ = B.
//
// Only the part that touches the (B, D, L, N) state is a custom autograd node (SelectiveScanFunction): it runs
// the sequence in chunks of T steps, materialising Ā, B̄u and h (B, T, D, N) for one chunk at a time, and keeps just the
// state entering each chunk (B, D, L/T, N). Its backward walks the chunks in reverse, recomputes each chunk's
// states from its boundary state, runs the adjoint scan (linear_scan.cpp explains it) with the gradient
// carried in from the next chunk, and differentiates the element-wise discretisation of that chunk with a
// small local autograd graph. On the CPU, cpu_kernels.h's fused loops replace both directions (same function, same
// record of chunk boundaries; LRNN_CPU_KERNELS=0 keeps the ATen version). The cheap (B, D, L) parts (bias, softplus, D skip, gate) stay ordinary
// autograd ops around it. bf16/f16 inputs accumulate in float32.
#include <torch/csrc/autograd/autograd.h>

#include <algorithm>

#include "autograd_function.h"
#include "cpu_kernels.h"
#include "scan_common.h"
#include "selective_scan_fused.h"

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

enum class Discretization : int64_t { Mamba = 0, Zoh = 1, Bilinear = 2, Dirac = 3 };

Discretization parse_discretization(const std::string& name) {
  if (name == "mamba") return Discretization::Mamba;
  if (name == "zoh") return Discretization::Zoh;
  if (name == "bilinear") return Discretization::Bilinear;
  if (name == "dirac") return Discretization::Dirac;
  throw std::invalid_argument("selective_scan: unknown discretization '" + name +
                              "' (expected mamba, zoh, bilinear or dirac)");
}

// (B, X, T) -> (B, T, X), contiguous: a small copy of a factor that is then broadcast to (B, T, D, N). Element-
// wise kernels lay their output out like their inputs, so a transposed factor would give the product a
// (B, D, T, N) memory order and every time step of the scan a strided slice.
at::Tensor time_major(const at::Tensor& t) { return t.transpose(1, 2).contiguous(); }

// Ā and B̄u of one chunk, both (B, T, D, N), from Δ (B, D, T), Δᴬ (B, D, T) or undefined (= Δ), A (D, N),
// B (B, N, T) and u (B, D, T). Differentiable: the backward re-runs it under a local autograd graph.
// Time-major within the batch on purpose: one time step of the scan is then a (B, D·N) slice, contiguous in
// D·N, which element-wise kernels run at full speed (a (B, D, N) slice of (B, D, T, N) runs in rows of N).
// Built by broadcasting from (B, T, ·) factors, so the layout costs only copies of those.
std::pair<at::Tensor, at::Tensor> discretize(Discretization mode, const at::Tensor& dt, const at::Tensor& dt_a,
                                             const at::Tensor& A, const at::Tensor& B, const at::Tensor& u) {
  const auto step = time_major(dt).unsqueeze(-1);                                          // (B, T, D, 1)
  const auto dt_A = (dt_a.defined() ? time_major(dt_a).unsqueeze(-1) : step) * A;          // (B, T, D, N)
  const auto u_t = time_major(u).unsqueeze(-1);                                            // (B, T, D, 1)
  const auto B_t = time_major(B).unsqueeze(2);                                             // (B, T, 1, N)
  // Products of (B, T, D) factors first: each full-size (B, T, D, N) operation is a pass over memory.
  switch (mode) {
    case Discretization::Mamba:
      return {at::exp(dt_A), B_t * (u_t * step)};
    case Discretization::Zoh:
      return {at::exp(dt_A), (B_t * u_t) * (at::expm1(step * A) / A)};
    case Discretization::Bilinear: {
      const auto half = dt_A * 0.5;
      return {(1 + half) / (1 - half), (B_t * u_t) * (step / (1 - step * A * 0.5))};
    }
    case Discretization::Dirac:
      return {at::exp(dt_A), B_t * u_t};
  }
  throw std::invalid_argument("selective_scan: bad discretization");
}

// One chunk's time range [start, start + length).
at::Tensor chunk_of(const at::Tensor& t, int64_t start, int64_t length) {
  return t.defined() ? t.narrow(-1, start, length) : t;
}

struct SelectiveScanFunction : torch::autograd::Function<SelectiveScanFunction> {
  // u, dt: (B, D, L); dt_a: (B, D, L) or undefined; A: (D, N); B, C: (B, N, L); h0: (B, D, N) or undefined;
  // all in the accumulation dtype (optionals: libtorch's custom functions accept no undefined tensor arguments).
  // Returns {Σ_n C·h (B, D, L), hLast (B, D, N)}.
  static variable_list forward(AutogradContext* ctx, const at::Tensor& u, const at::Tensor& dt,
                               const c10::optional<at::Tensor>& event_dt, const at::Tensor& A, const at::Tensor& B,
                               const at::Tensor& C, const c10::optional<at::Tensor>& initial, int64_t mode,
                               int64_t chunk) {
    const auto dt_a = event_dt.value_or(at::Tensor());
    const auto h0 = initial.value_or(at::Tensor());
    at::Tensor y, state, boundaries;  // (B, D, L), (B, D, N), (B, D, nc, N)
    if (!lrnn::cpu_kernels::selective_scan_forward(u, dt, dt_a, A, B, C, h0, mode, chunk, y, state, boundaries))
      std::tie(y, state, boundaries) = forward_aten(u, dt, dt_a, A, B, C, h0, static_cast<Discretization>(mode), chunk);
    ctx->set_materialize_grads(false);
    ctx->saved_data["mode"] = mode;
    ctx->saved_data["chunk"] = chunk;
    ctx->saved_data["has_h0"] = h0.defined();
    ctx->save_for_backward({u, dt, dt_a, A, B, C, boundaries});
    return {y, state};
  }

  // The forward in ATen ops, one chunk of (B, T, D, N) temporaries at a time.
  static std::tuple<at::Tensor, at::Tensor, at::Tensor> forward_aten(const at::Tensor& u, const at::Tensor& dt,
                                                                    const at::Tensor& dt_a, const at::Tensor& A,
                                                                    const at::Tensor& B, const at::Tensor& C,
                                                                    const at::Tensor& h0, Discretization mode,
                                                                    int64_t chunk) {
    const auto length = u.size(2);
    const auto chunks = (length + chunk - 1) / chunk;
    auto state = h0.defined() ? h0 : at::zeros({u.size(0), u.size(1), A.size(1)}, u.options());  // (B, D, N)
    auto boundaries = at::empty({u.size(0), u.size(1), chunks, A.size(1)}, u.options());       // (B, D, nc, N)
    auto y = at::empty_like(u);                                                                  // (B, D, L)
    for (int64_t c = 0; c < chunks; ++c) {
      const auto start = c * chunk;
      const auto len = std::min(chunk, length - start);
      boundaries.select(2, c).copy_(state);
      const auto [a_bar, b_u] = discretize(mode, chunk_of(dt, start, len),
                                           chunk_of(dt_a, start, len), A, chunk_of(B, start, len),
                                           chunk_of(u, start, len));
      auto h = at::empty(b_u.sizes(), u.options());  // (B, T, D, N)
      state = lrnn::scan::scan_into(a_bar, b_u, state, h, /*dim=*/1, /*reverse=*/false);
      // y_t = h_t · C_t as a batched matrix-vector product: h is read once, with no (B, T, D, N) temporary.
      const auto C_c = C.narrow(2, start, len).transpose(1, 2).unsqueeze(-1);  // (B, T, N, 1)
      y.narrow(2, start, len).transpose(1, 2).copy_(at::matmul(h, C_c).squeeze(-1));
    }
    return {y, state, boundaries};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto &u = saved[0], &dt = saved[1], &dt_a = saved[2], &A = saved[3], &B = saved[4], &C = saved[5];
    const auto& boundaries = saved[6];
    const auto& grad_y = grad_outputs[0];
    const auto& grad_last = grad_outputs[1];
    const auto mode = static_cast<Discretization>(ctx->saved_data["mode"].toInt());
    const auto chunk = ctx->saved_data["chunk"].toInt();
    const auto length = u.size(2);
    const auto chunks = boundaries.size(2);
    const bool has_h0 = ctx->saved_data["has_h0"].toBool();

    if (lrnn::cpu_kernels::SelectiveScanGrads cpu; lrnn::cpu_kernels::selective_scan_backward(
            u, dt, dt_a, A, B, C, boundaries, static_cast<int64_t>(mode), chunk, grad_y, grad_last, cpu))
      return {cpu.u, cpu.dt, cpu.dt_a, cpu.A, cpu.B, cpu.C, has_h0 ? cpu.h0 : at::Tensor(), at::Tensor(), at::Tensor()};

    auto grad_u = at::zeros_like(u), grad_dt = at::zeros_like(dt), grad_B = at::zeros_like(B);
    auto grad_C = at::zeros_like(C), grad_A = at::zeros_like(A);
    auto grad_dt_a = dt_a.defined() ? at::zeros_like(dt_a) : at::Tensor();
    // dL/dh flowing into the last state of the chunk being processed from everything after it.
    auto carry = grad_last.defined() ? grad_last.to(u.scalar_type()) : at::zeros_like(boundaries.select(2, 0));
    for (int64_t c = chunks - 1; c >= 0; --c) {
      const auto start = c * chunk;
      const auto len = std::min(chunk, length - start);
      const auto leaf = [](const at::Tensor& t) { return t.defined() ? t.detach().requires_grad_(true) : t; };
      const auto dt_c = leaf(chunk_of(dt, start, len)), dt_a_c = leaf(chunk_of(dt_a, start, len));
      const auto A_c = leaf(A), B_c = leaf(chunk_of(B, start, len)), u_c = leaf(chunk_of(u, start, len));
      at::Tensor a_bar, b_u;
      {
        at::AutoGradMode enable_grad(true);
        std::tie(a_bar, b_u) = discretize(mode, dt_c, dt_a_c, A_c, B_c, u_c);  // (B, T, D, N)
      }
      const auto a_bar_values = a_bar.detach();
      const auto h_in = boundaries.select(2, c);  // (B, D, N)
      auto h = at::empty(b_u.sizes(), u.options());
      lrnn::scan::scan_into(a_bar_values, b_u.detach(), h_in, h, 1, /*reverse=*/false);

      // dL/dh_t from this chunk's outputs, plus the carry into its last state; then the reverse scan.
      const auto C_t = time_major(C.narrow(2, start, len)).unsqueeze(2);                       // (B, T, 1, N)
      const auto grad_y_t = grad_y.defined() ? time_major(grad_y.narrow(2, start, len)).unsqueeze(-1)
                                             : at::Tensor();                                     // (B, T, D, 1)
      auto g = grad_y.defined() ? grad_y_t * C_t : at::zeros_like(h);                   // (B, T, D, N)
      g.select(1, len - 1).add_(carry);
      if (len > 1) {
        auto g_rest = g.narrow(1, 0, len - 1);
        lrnn::scan::scan_into(a_bar_values.narrow(1, 1, len - 1), g_rest, g.select(1, len - 1), g_rest, 1, true);
      }
      carry = a_bar_values.select(1, 0) * g.select(1, 0);

      if (grad_y.defined())  // dL/dC_t[n] = Σ_d h_t[d, n] · dL/dy_t[d]
        grad_C.narrow(2, start, len).copy_(at::matmul(h.transpose(-1, -2), grad_y_t).squeeze(-1).transpose(1, 2));
      auto grad_a_bar = at::empty_like(h);  // g_t ⊙ h_{t−1}
      auto first = grad_a_bar.select(1, 0);
      at::mul_out(first, g.select(1, 0), h_in);
      if (len > 1) {
        auto rest = grad_a_bar.narrow(1, 1, len - 1);
        at::mul_out(rest, g.narrow(1, 1, len - 1), h.narrow(1, 0, len - 1));
      }

      variable_list leaves{dt_c, A_c, B_c, u_c};
      if (dt_a_c.defined()) leaves.push_back(dt_a_c);
      const auto grads = torch::autograd::grad({a_bar, b_u}, leaves, {grad_a_bar, g}, /*retain_graph=*/false,
                                               /*create_graph=*/false, /*allow_unused=*/true);
      const auto add = [](at::Tensor target, const at::Tensor& grad) {
        if (grad.defined()) target.add_(grad);
      };
      add(grad_dt.narrow(2, start, len), grads[0]);
      add(grad_A, grads[1]);
      add(grad_B.narrow(2, start, len), grads[2]);
      add(grad_u.narrow(2, start, len), grads[3]);
      if (dt_a_c.defined()) add(grad_dt_a.narrow(2, start, len), grads[4]);
    }
    const auto grad_h0 = has_h0 ? carry : at::Tensor();
    return {grad_u, grad_dt, grad_dt_a, grad_A, grad_B, grad_C, grad_h0, at::Tensor(), at::Tensor()};
  }
};

void require_shape(const at::Tensor& t, std::initializer_list<int64_t> expected, const char* name) {
  LRNN_REQUIRE(t.sizes().equals(at::IntArrayRef(expected)), std::string("selective_scan: ") + name + " must have shape " +
                                                           c10::str(at::IntArrayRef(expected)) + ", got " +
                                                           c10::str(t.sizes()));
}

// The chunk length when the caller leaves it to us: about 2^25 elements per (B, T, D, N) temporary.
int64_t default_chunk(int64_t batch, int64_t width, int64_t length, int64_t state) {
  const int64_t budget = int64_t{1} << 25;
  return std::clamp<int64_t>(budget / std::max<int64_t>(1, batch * width * state), 16, std::max<int64_t>(length, 1));
}

}  // namespace

LRNN_API int32_t lrnn_selective_scan(tensor_t u, tensor_t delta, tensor_t A, tensor_t B, tensor_t C, tensor_t D,
                                     tensor_t z, tensor_t delta_bias, int32_t delta_softplus, tensor_t h0,
                                     const char* discretization, tensor_t delta_a, int64_t chunk, tensor_t* out_y,
                                     tensor_t* out_h_last) {
  try {
    lrnn::clear_error();
    *out_y = nullptr;
    *out_h_last = nullptr;
    LRNN_REQUIRE(u->dim() == 3, "selective_scan: u must be (B, D, L), got " + c10::str(u->sizes()));
    const auto batch = u->size(0), width = u->size(1), length = u->size(2);
    LRNN_REQUIRE(length >= 1, "selective_scan: u has no time steps");
    LRNN_REQUIRE(A->dim() == 2 && A->size(0) == width,
                 "selective_scan: A must be (D, N) with D = " + std::to_string(width) + ", got " + c10::str(A->sizes()));
    LRNN_REQUIRE(!A->is_complex(), "selective_scan: A must be real");
    const auto state = A->size(1);
    require_shape(*delta, {batch, width, length}, "delta");
    require_shape(*B, {batch, state, length}, "B");
    require_shape(*C, {batch, state, length}, "C");
    if (D) require_shape(*D, {width}, "D");
    if (z) require_shape(*z, {batch, width, length}, "z");
    if (delta_bias) require_shape(*delta_bias, {width}, "deltaBias");
    if (h0) require_shape(*h0, {batch, width, state}, "h0");
    if (delta_a) require_shape(*delta_a, {batch, width, length}, "deltaA");
    const auto mode = parse_discretization(discretization);
    // The fused CUDA kernels first; this ATen version is their fallback and reference.
    const auto given = [](tensor_t t) { return t ? *t : at::Tensor(); };
    if (at::Tensor y, h_last; lrnn::fused_selective_scan(*u, *delta, *A, *B, *C, given(D), given(z), given(delta_bias),
                                                         delta_softplus != 0, given(h0), given(delta_a),
                                                         static_cast<int64_t>(mode), y, h_last)) {
      *out_y = lrnn::wrap(std::move(y));
      *out_h_last = lrnn::wrap(std::move(h_last));
      return 0;
    }
    if (chunk <= 0) chunk = default_chunk(batch, width, length, state);

    const auto acc = lrnn::autograd::compute_dtype(at::promote_types(
        at::promote_types(u->scalar_type(), delta->scalar_type()),
        at::promote_types(A->scalar_type(), at::promote_types(B->scalar_type(), C->scalar_type()))));
    const auto cast = [acc](tensor_t t) { return t ? t->to(acc) : at::Tensor(); };
    const auto cast_optional = [acc](tensor_t t) { return t ? c10::optional<at::Tensor>(t->to(acc)) : c10::nullopt; };
    auto dt = cast(delta);
    if (delta_bias) dt = dt + cast(delta_bias).unsqueeze(-1);
    if (delta_softplus) dt = at::softplus(dt);
    const auto u_acc = cast(u);
    auto result = SelectiveScanFunction::apply(u_acc, dt, cast_optional(delta_a), cast(A), cast(B), cast(C), cast_optional(h0),
                                               static_cast<int64_t>(mode), chunk);
    auto y = result[0];  // (B, D, L)
    if (D) y = y + cast(D).unsqueeze(-1) * u_acc;
    if (z) y = y * at::silu(cast(z));
    *out_y = lrnn::wrap(y.to(u->scalar_type()));
    *out_h_last = lrnn::wrap(result[1]);
    return 0;
  }
  LRNN_CATCH(-1)
}
