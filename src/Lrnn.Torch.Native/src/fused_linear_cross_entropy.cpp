// Linear cross-entropy that never holds the (N, V) logits: per-token losses of logits = x·Wᵀ, computed in chunks of
// tokens, with the logits of each chunk recomputed in backward.
//
// The logits of token n are  z_n = s ⊙ (x_n Wᵀ) + b, then optionally soft-capped, ℓ_n = c·tanh(z_n / c).
// W may be given as several row blocks W_1 … W_k (a vocabulary split into named parts): the global vocabulary is
// their concatenation, and no (V, H) copy of the full matrix is ever made. s (a per-vocabulary scale, nGPT's head)
// and b (a bias) are optional.
//
// Two outputs per token, both float32 (float64 for float64 inputs) and 0 at ignored tokens:
//   ce_n  = lse_n − ℓ_{n,y}            (with label smoothing ε: (1−ε)(lse_n − ℓ_{n,y}) + ε(lse_n − mean_v ℓ_{n,v}))
//   lse_n = log Σ_v exp ℓ_{n,v}
// The caller reduces them (mean, sum, or none) and builds the z-loss from lse (m·lse²): because backward takes an
// arbitrary upstream gradient for both outputs, every reduction, loss weighting and z-loss is exact, including
// reduction "none" with any per-token gradient (the case Liger got wrong before it recomputed in backward).
//
// Memory: forward keeps x, the weights, the labels and one lse per token; the only (·, V)-sized temporaries are one
// block of logits at a time, of about chunk_size·V elements:
//   forward:  chunks of chunk_size tokens × the whole vocabulary (only the lse of each token is kept);
//   backward: all N tokens × chunks of vocabulary rows, about chunk_size·V/N rows each. Chunking the vocabulary, not
//             the tokens, makes each block's dW = gᵀ·x one full GEMM over the N tokens, written once in the
//             weights' dtype (float32 accumulation inside the GEMM), so no float32 (V, H) accumulator is read and
//             written once per chunk (that traffic was 2/3 of the time); dx is accumulated over vocabulary chunks in
//             float32, an (N, H) tensor.
// Cost: the logits are computed twice (forward and backward), ~8·N·H·V FLOPs instead of 6. On CUDA, for plain
// logits (no scale, bias or soft cap), the row passes run as hand-written kernels (src/cuda/cross_entropy.cu): one
// read of the 16-bit logits for the lse, one read and one 16-bit write for the gradient block.
#include "autograd_function.h"
#include "kernels.h"

#include <algorithm>

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Block extents are rounded to multiples of this many rows: a GEMM whose output rows are not 16-byte aligned
// (an odd number of 16-bit columns) falls off cuBLAS's tensor-core kernels, several times slower.
constexpr int64_t kAlignRows = 64;

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// Tokens per forward chunk when the caller leaves it to us: blocks of logits of about 4·N·H elements (four times
// the size of the input; Liger's N·H makes 64 blocks at N=8192, V=128256 and the per-block passes show), and at
// least one token.
int64_t auto_chunk_size(int64_t tokens, int64_t hidden, int64_t vocab) {
  const int64_t budget = std::max<int64_t>(4 * tokens * hidden, int64_t(1) << 16);
  return std::clamp<int64_t>(round_up((budget + vocab - 1) / vocab, kAlignRows), 1, std::max<int64_t>(tokens, 1));
}

// Vocabulary rows per backward block: the forward block's element count spread over all N tokens.
int64_t vocab_chunk_size(int64_t tokens, int64_t token_chunk, int64_t vocab) {
  const int64_t rows = token_chunk * vocab / std::max<int64_t>(tokens, 1);
  return std::clamp<int64_t>(rows >= kAlignRows ? round_up(rows, kAlignRows) : rows, 1, vocab);
}

// x_c Wᵀ over the weight blocks: (c, V) in the inputs' dtype, contiguous (one GEMM per block, concatenated).
at::Tensor raw_logits(const at::Tensor& x_c, at::TensorList weights) {
  if (weights.size() == 1) return at::matmul(x_c, weights[0].t());
  std::vector<at::Tensor> parts;
  parts.reserve(weights.size());
  for (const auto& w : weights) parts.push_back(at::matmul(x_c, w.t()));  // (c, V_k)
  return at::cat(parts, 1);
}

// The logits ℓ of a block of raw products and the intermediates their gradient needs. `scale` and `bias` are the
// block's columns (or undefined).
struct Logits {
  at::Tensor raw;     // x Wᵀ, compute dtype
  at::Tensor tanh;    // tanh(z / cap) when soft-capped, else undefined
  at::Tensor logits;  // ℓ, compute dtype
};

Logits logits_of(const at::Tensor& raw_in, const at::Tensor& bias, const at::Tensor& scale, double softcap,
                 at::ScalarType dtype) {
  Logits out;
  out.raw = raw_in.to(dtype);
  auto z = scale.defined() ? out.raw * scale.to(dtype) : out.raw;
  if (bias.defined()) z = z + bias.to(dtype);
  if (softcap > 0) {
    out.tanh = at::tanh(z / softcap);
    out.logits = out.tanh * softcap;
  } else {
    out.logits = z;
  }
  return out;
}

struct FusedLinearCrossEntropyFunction : torch::autograd::Function<FusedLinearCrossEntropyFunction> {
  // x (N, H), bias (V) or undefined, scale (V) or undefined, labels (N) int64, weights: blocks (V_k, H), Σ V_k = V.
  // Returns {ce (N), lse (N)}.
  // Optional tensors travel as c10::optional: an undefined at::Tensor argument would be recorded as an input.
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x, const c10::optional<at::Tensor>& bias_arg,
                               const c10::optional<at::Tensor>& scale_arg, const at::Tensor& labels, at::TensorList weights,
                               int64_t ignore_index, double label_smoothing, double softcap, int64_t chunk_size) {
    const auto bias = bias_arg.value_or(at::Tensor());
    const auto scale = scale_arg.value_or(at::Tensor());
    const auto dtype = compute_dtype(x, weights);
    const int64_t n = x.size(0);
    const int64_t vocab = vocab_size(weights);
    const int64_t chunk = chunk_size > 0 ? chunk_size : auto_chunk_size(n, x.size(1), vocab);
    const bool plain = !bias.defined() && !scale.defined() && softcap <= 0;
    const auto stats = x.options().dtype(dtype);
    // lse of every token, ignored ones included: backward needs it finite there (exp(ℓ − 0) could overflow, and
    // ∞·0 is NaN); the lse output is 0 at ignored tokens.
    auto lse_all = at::empty({n}, stats);
    auto target = at::zeros({n}, stats);
    auto row_sum = label_smoothing > 0 ? at::empty({n}, stats) : at::Tensor();
    const auto valid = labels.ne(ignore_index);                                // (N)
    const auto safe_labels = at::where(valid, labels, 0);                        // (N), a valid column everywhere
    for (int64_t start = 0; start < n; start += chunk) {
      const int64_t len = std::min(chunk, n - start);
      const auto raw = raw_logits(x.narrow(0, start, len), weights);         // (c, V)
      auto lse_c = lse_all.narrow(0, start, len);
      auto target_c = target.narrow(0, start, len);
      const auto sum_c = row_sum.defined() ? row_sum.narrow(0, start, len) : at::Tensor();
      if (plain && lrnn::kernels::row_logsumexp(raw, safe_labels.narrow(0, start, len), 0, lse_c, target_c, sum_c))
        continue;
      const auto c = logits_of(raw, bias, scale, softcap, dtype);
      lse_c.copy_(at::logsumexp(c.logits, {1}));
      target_c.copy_(c.logits.gather(1, safe_labels.narrow(0, start, len).unsqueeze(1)).squeeze(1));
      if (sum_c.defined()) sum_c.copy_(c.logits.sum(1));
    }
    auto nll = lse_all - target;
    if (label_smoothing > 0)
      nll = nll * (1 - label_smoothing) + (lse_all - row_sum / static_cast<double>(vocab)) * label_smoothing;
    const auto zero = at::zeros({}, stats);
    auto ce = at::where(valid, nll, zero);
    auto lse = at::where(valid, lse_all, zero);
    // Saved: x, labels, lse_all, the weight blocks, then bias and scale when given.
    std::vector<at::Tensor> saved{x, labels, lse_all};
    saved.insert(saved.end(), weights.begin(), weights.end());
    if (bias.defined()) saved.push_back(bias);
    if (scale.defined()) saved.push_back(scale);
    ctx->save_for_backward(saved);
    ctx->saved_data["n_weights"] = static_cast<int64_t>(weights.size());
    ctx->saved_data["has_bias"] = bias.defined();
    ctx->saved_data["has_scale"] = scale.defined();
    ctx->saved_data["ignore_index"] = ignore_index;
    ctx->saved_data["label_smoothing"] = label_smoothing;
    ctx->saved_data["softcap"] = softcap;
    ctx->saved_data["chunk"] = chunk;
    return {ce, lse};
  }

  // With p = softmax(ℓ) and upstream gradients γ (of ce) and λ (of lse), per token (0 at ignored tokens):
  //   dL/dℓ = (γ + λ)·p − (1−ε)·γ·onehot(y) − (ε/V)·γ,
  //   dL/dz = dL/dℓ · (1 − tanh²) with a soft cap,  dL/draw = dL/dz ⊙ s,  dL/db = Σ_n dL/dz,  dL/ds = Σ_n dL/dz ⊙ raw,
  //   dL/dx = Σ_blocks dL/draw · W_block,  dL/dW_block = (dL/draw)ᵀ · x   (one GEMM per vocabulary block).
  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& labels = saved[1];
    const auto& lse = saved[2];
    const auto n_weights = ctx->saved_data["n_weights"].toInt();
    const std::vector<at::Tensor> weights(saved.begin() + 3, saved.begin() + 3 + n_weights);
    size_t next = 3 + static_cast<size_t>(n_weights);
    const auto bias = ctx->saved_data["has_bias"].toBool() ? saved[next++] : at::Tensor();
    const auto scale = ctx->saved_data["has_scale"].toBool() ? saved[next++] : at::Tensor();
    const auto ignore_index = ctx->saved_data["ignore_index"].toInt();
    const auto eps = ctx->saved_data["label_smoothing"].toDouble();
    const auto softcap = ctx->saved_data["softcap"].toDouble();
    const auto chunk = ctx->saved_data["chunk"].toInt();

    const auto dtype = lse.scalar_type();
    const int64_t n = x.size(0);
    const int64_t vocab = vocab_size(weights);
    const bool plain = !bias.defined() && !scale.defined() && softcap <= 0;
    const auto accumulate = at::promote_types(at::kFloat, dtype);

    // Per-token coefficients of dL/dℓ (0 at ignored tokens): coef·p − shift − onehot·[v = y].
    const auto is_valid = labels.ne(ignore_index);                               // (N)
    const auto valid = is_valid.to(dtype);
    const auto zeros = at::zeros_like(lse);
    const auto gamma = (grad_outputs[0].defined() ? grad_outputs[0].to(dtype) : zeros) * valid;   // γ (N)
    const auto lambda = (grad_outputs[1].defined() ? grad_outputs[1].to(dtype) : zeros) * valid;  // λ (N)
    const auto coef = (gamma + lambda).contiguous();
    const auto onehot = (gamma * (1 - eps)).contiguous();
    const auto shift = (gamma * (eps / static_cast<double>(vocab))).contiguous();
    const auto safe_labels = at::where(is_valid, labels, -1).contiguous();  // −1: no column

    // 16-bit inputs: the GEMMs run in 16 bits (tensor cores, float32 accumulation inside); their outputs are summed
    // in float32 only where a sum over blocks remains (dx).
    const bool half = x.scalar_type() == at::kBFloat16 || x.scalar_type() == at::kHalf;
    const auto x_gemm = half ? x : x.to(accumulate);
    auto grad_x = at::zeros(x.sizes(), x.options().dtype(accumulate));  // (N, H)
    std::vector<at::Tensor> grad_w;
    auto grad_bias = bias.defined() ? at::empty({vocab}, lse.options().dtype(accumulate)) : at::Tensor();
    auto grad_scale = scale.defined() ? at::empty({vocab}, lse.options().dtype(accumulate)) : at::Tensor();

    const int64_t rows_per_block = vocab_chunk_size(n, chunk, vocab);
    int64_t offset = 0;  // the global vocabulary id of the weight block's first row
    for (const auto& w : weights) {
      const auto gemm_dtype = half ? w.scalar_type() : accumulate;
      auto dw = at::empty(w.sizes(), w.options().dtype(gemm_dtype));  // (V_k, H)
      for (int64_t v0 = 0; v0 < w.size(0); v0 += rows_per_block) {
        const int64_t rows = std::min(rows_per_block, w.size(0) - v0);
        const auto w_j = w.narrow(0, v0, rows);                          // (v, H)
        const auto raw = at::matmul(x, w_j.t());                         // (N, v) in the inputs' dtype
        const int64_t first = offset + v0;
        at::Tensor g_gemm = at::empty(raw.sizes(), raw.options().dtype(gemm_dtype));  // dL/draw, (N, v)
        if (!(plain && lrnn::kernels::cross_entropy_grad(raw, lse, coef, shift, onehot, safe_labels, first, g_gemm))) {
          const auto block = [&](const at::Tensor& t) { return t.defined() ? t.narrow(0, first, rows) : t; };
          const auto c = logits_of(raw, block(bias), block(scale), softcap, dtype);
          auto g = at::exp(c.logits - lse.unsqueeze(1)) * coef.unsqueeze(1);                       // (N, v)
          const auto in_block = safe_labels.ge(first) & safe_labels.lt(first + rows);               // (N)
          g.scatter_add_(1, at::where(in_block, safe_labels - first, 0).unsqueeze(1),
                         (-onehot * in_block.to(dtype)).unsqueeze(1));
          if (eps > 0) g.sub_(shift.unsqueeze(1));
          if (softcap > 0) g.mul_(1 - c.tanh.square());
          if (bias.defined()) grad_bias.narrow(0, first, rows).copy_(g.sum(0));
          if (scale.defined()) {
            grad_scale.narrow(0, first, rows).copy_((g * c.raw).sum(0));
            g.mul_(scale.narrow(0, first, rows).to(dtype));
          }
          g_gemm.copy_(g);
        }
        auto dw_j = dw.narrow(0, v0, rows);
        at::mm_out(dw_j, g_gemm.t(), x_gemm);                                       // (v, H) = (v, N)(N, H)
        const auto w_gemm = half ? w_j : w_j.to(accumulate);
        if (half) grad_x.add_(at::mm(g_gemm, w_gemm));                              // (N, H) += (N, v)(v, H)
        else grad_x.addmm_(g_gemm, w_gemm);
      }
      grad_w.push_back(dw.to(w.scalar_type()));
      offset += w.size(0);
    }

    variable_list grads{grad_x.to(x.scalar_type()), bias.defined() ? grad_bias.to(bias.scalar_type()) : at::Tensor(),
                        scale.defined() ? grad_scale.to(scale.scalar_type()) : at::Tensor(), at::Tensor()};
    for (auto& g : grad_w) grads.push_back(std::move(g));
    grads.resize(grads.size() + 4);  // ignore_index, label_smoothing, softcap, chunk_size
    return grads;
  }

  static int64_t vocab_size(at::TensorList weights) {
    int64_t v = 0;
    for (const auto& w : weights) v += w.size(0);
    return v;
  }

  static at::ScalarType compute_dtype(const at::Tensor& x, at::TensorList weights) {
    return at::promote_types(lrnn::autograd::compute_dtype(x.scalar_type()),
                             lrnn::autograd::compute_dtype(weights[0].scalar_type()));
  }
};

void check_arguments(const at::Tensor& x, const std::vector<at::Tensor>& weights, const at::Tensor& bias,
                     const at::Tensor& scale, const at::Tensor& labels, int64_t ignore_index) {
  LRNN_REQUIRE(x.dim() == 2, "fused_linear_cross_entropy: input must be (N, H), got " + c10::str(x.sizes()));
  LRNN_REQUIRE(at::isFloatingType(x.scalar_type()), "fused_linear_cross_entropy: input must be floating point");
  LRNN_REQUIRE(!weights.empty(), "fused_linear_cross_entropy: at least one weight block is needed");
  int64_t vocab = 0;
  for (const auto& w : weights) {
    LRNN_REQUIRE(w.dim() == 2 && w.size(1) == x.size(1) && w.scalar_type() == weights[0].scalar_type(),
                 "fused_linear_cross_entropy: every weight block must be (V_k, " + std::to_string(x.size(1)) +
                     ") of one dtype, got " + c10::str(w.sizes()) + " " + c10::toString(w.scalar_type()));
    vocab += w.size(0);
  }
  LRNN_REQUIRE(labels.dim() == 1 && labels.size(0) == x.size(0) && labels.scalar_type() == at::kLong,
               "fused_linear_cross_entropy: labels must be int64 (N) with N = " + std::to_string(x.size(0)) + ", got " +
                   c10::str(labels.sizes()) + " " + c10::toString(labels.scalar_type()));
  for (const auto* t : {&bias, &scale})
    LRNN_REQUIRE(!t->defined() || (t->dim() == 1 && t->size(0) == vocab),
                 "fused_linear_cross_entropy: bias and scale must be (V) with V = " + std::to_string(vocab) + ", got " +
                     c10::str(t->sizes()));
  const auto out_of_range = (labels.lt(0) | labels.ge(vocab)) & labels.ne(ignore_index);
  LRNN_REQUIRE(!out_of_range.any().item<bool>(),
               "fused_linear_cross_entropy: a label is outside [0, " + std::to_string(vocab) + ") and is not ignore_index (" +
                   std::to_string(ignore_index) + ")");
}

at::Tensor or_undefined(tensor_t t) { return t == nullptr ? at::Tensor() : *t; }

}  // namespace

// out0 = ce (N), out1 = lse (N); returns 0, or −1 with the error recorded.
LRNN_API int32_t lrnn_fused_linear_cross_entropy(tensor_t x, tensor_t const* weights, int64_t n_weights,
                                                 tensor_t bias /* nullable */, tensor_t scale /* nullable */, tensor_t labels,
                                                 int64_t ignore_index, double label_smoothing, double softcap,
                                                 int64_t chunk_size, tensor_t* out0, tensor_t* out1) {
  LRNN_STATUS({
    const auto blocks = lrnn::tensors(weights, n_weights);
    const auto b = or_undefined(bias);
    const auto s = or_undefined(scale);
    check_arguments(*x, blocks, b, s, *labels, ignore_index);
    auto result = FusedLinearCrossEntropyFunction::apply(*x, b.defined() ? c10::optional<at::Tensor>(b) : c10::nullopt,
                                                         s.defined() ? c10::optional<at::Tensor>(s) : c10::nullopt, *labels, at::TensorList(blocks), ignore_index,
                                                         label_smoothing, softcap, chunk_size);
    *out0 = lrnn::wrap(std::move(result[0]));
    *out1 = lrnn::wrap(std::move(result[1]));
  });
}
