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
// Memory: forward keeps x, the weights, the labels and one lse per token; the only (·, V) temporaries are one
// chunk's logits. dW is accumulated over chunks in float32 (float64 for float64 weights) whatever the weights' dtype;
// for 16-bit weights each chunk's product is a 16-bit GEMM with float32 accumulation inside (see backward).
// Cost: the chunk's logits are computed twice (forward and backward), ~8·N·H·V FLOPs instead of 6.
#include "autograd_function.h"

#include <algorithm>

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct Options {
  int64_t ignore_index;
  double label_smoothing;
  double softcap;  // 0: none
  int64_t chunk_size;
};

// Liger's choice: chunks whose logits are about the size of the hidden states, a power of two of tokens.
int64_t auto_chunk_size(int64_t tokens, int64_t hidden, int64_t vocab) {
  const int64_t inc_factor = std::max<int64_t>(1, (vocab + hidden - 1) / hidden);
  const int64_t wanted = std::max<int64_t>(1, (tokens + inc_factor - 1) / inc_factor);
  int64_t chunk = 1;
  while (chunk < wanted) chunk <<= 1;
  return chunk;
}

// One chunk's logits and the intermediates their gradient needs.
struct ChunkLogits {
  at::Tensor raw;     // x_c Wᵀ, (c, V), compute dtype
  at::Tensor tanh;    // tanh(z / cap) when soft-capped, else undefined
  at::Tensor logits;  // ℓ, (c, V), compute dtype
};

ChunkLogits chunk_logits(const at::Tensor& x_c, at::TensorList weights, const at::Tensor& bias, const at::Tensor& scale,
                         double softcap, at::ScalarType dtype) {
  std::vector<at::Tensor> parts;
  parts.reserve(weights.size());
  for (const auto& w : weights) parts.push_back(at::matmul(x_c, w.t()));  // (c, V_k) in the inputs' dtype
  ChunkLogits out;
  out.raw = (parts.size() == 1 ? parts[0] : at::cat(parts, 1)).to(dtype);  // (c, V)
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
    const int64_t chunk = chunk_size > 0 ? chunk_size : auto_chunk_size(n, x.size(1), vocab_size(weights));
    auto ce = at::zeros({n}, x.options().dtype(dtype));
    auto lse = at::zeros({n}, x.options().dtype(dtype));
    for (int64_t start = 0; start < n; start += chunk) {
      const int64_t len = std::min(chunk, n - start);
      const auto c = chunk_logits(x.narrow(0, start, len), weights, bias, scale, softcap, dtype);
      const auto y = labels.narrow(0, start, len);
      const auto valid = y.ne(ignore_index);                                        // (c)
      const auto lse_c = at::logsumexp(c.logits, {1});                              // (c)
      const auto target = c.logits.gather(1, at::where(valid, y, 0).unsqueeze(1)).squeeze(1);
      auto nll = lse_c - target;
      if (label_smoothing > 0) nll = nll * (1 - label_smoothing) + (lse_c - c.logits.mean(1)) * label_smoothing;
      ce.narrow(0, start, len).copy_(at::where(valid, nll, at::zeros_like(nll)));
      lse.narrow(0, start, len).copy_(at::where(valid, lse_c, at::zeros_like(lse_c)));
    }
    // lse is 0 at ignored tokens, which is also what their (zero) gradient needs: nothing flows from them.
    // Saved: x, labels, lse, the weight blocks, then bias and scale when given.
    std::vector<at::Tensor> saved{x, labels, lse};
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
  //   dL/dx = dL/draw · W,  dL/dW = (dL/draw)ᵀ · x   (accumulated over chunks in float32).
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
    const auto zeros = at::zeros_like(lse);
    const auto grad_ce = grad_outputs[0].defined() ? grad_outputs[0].to(dtype) : zeros;    // γ (N)
    const auto grad_lse = grad_outputs[1].defined() ? grad_outputs[1].to(dtype) : zeros;   // λ (N)
    const int64_t n = x.size(0);
    const int64_t vocab = vocab_size(weights);
    const auto accumulate = at::promote_types(at::kFloat, dtype);

    auto grad_x = at::empty_like(x);
    std::vector<at::Tensor> grad_w;
    for (const auto& w : weights) grad_w.push_back(at::zeros(w.sizes(), w.options().dtype(accumulate)));
    auto grad_bias = bias.defined() ? at::zeros({vocab}, lse.options().dtype(accumulate)) : at::Tensor();
    auto grad_scale = scale.defined() ? at::zeros({vocab}, lse.options().dtype(accumulate)) : at::Tensor();

    for (int64_t start = 0; start < n; start += chunk) {
      const int64_t len = std::min(chunk, n - start);
      const auto x_c = x.narrow(0, start, len);
      const auto c = chunk_logits(x_c, weights, bias, scale, softcap, dtype);
      const auto y = labels.narrow(0, start, len);
      const auto valid = y.ne(ignore_index).to(dtype);
      const auto gamma = (grad_ce.narrow(0, start, len) * valid).unsqueeze(1);     // (c, 1)
      const auto lambda = (grad_lse.narrow(0, start, len) * valid).unsqueeze(1);   // (c, 1)

      auto g = at::exp(c.logits - lse.narrow(0, start, len).unsqueeze(1)) * (gamma + lambda);   // (c, V)
      g.scatter_add_(1, at::where(y.ne(ignore_index), y, 0).unsqueeze(1), gamma * -(1 - eps));
      if (eps > 0) g.sub_(gamma * (eps / static_cast<double>(vocab)));
      if (softcap > 0) g.mul_(1 - c.tanh.square());
      if (bias.defined()) grad_bias.add_(g.sum(0));
      if (scale.defined()) {
        grad_scale.add_((g * c.raw).sum(0));
        g.mul_(scale.to(dtype));
      }

      // 16-bit weights: the chunk's products run as 16-bit GEMMs (tensor cores, float32 accumulation inside the
      // GEMM), and only their sum over chunks is kept in float32. A float32 GEMM here would be ~10× slower on a GPU
      // (no TF32) for no accuracy that the float32 running sum does not already give.
      const bool half = x.scalar_type() == at::kBFloat16 || x.scalar_type() == at::kHalf;
      const auto x_acc = half ? x_c : x_c.to(accumulate);
      auto dx = at::Tensor();
      int64_t offset = 0;
      for (size_t k = 0; k < weights.size(); ++k) {
        const auto g_k = g.narrow(1, offset, weights[k].size(0));                 // (c, V_k)
        offset += weights[k].size(0);
        const auto g_w = g_k.to(weights[k].scalar_type());
        if (half) grad_w[k].add_(at::matmul(g_w.t(), x_acc));                     // (V_k, H) += (V_k, c)(c, H)
        else grad_w[k].addmm_(g_k.t(), x_acc);
        const auto dx_k = at::matmul(g_w, weights[k]);
        dx = dx.defined() ? dx + dx_k : dx_k;
      }
      grad_x.narrow(0, start, len).copy_(dx);
    }

    variable_list grads{grad_x, bias.defined() ? grad_bias.to(bias.scalar_type()) : at::Tensor(),
                        scale.defined() ? grad_scale.to(scale.scalar_type()) : at::Tensor(), at::Tensor()};
    for (size_t k = 0; k < weights.size(); ++k) grads.push_back(grad_w[k].to(weights[k].scalar_type()));
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
