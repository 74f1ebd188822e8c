// Scaled dot-product attention: softmax(q kᵀ · scale + mask) v, with q (..., Lq, E), k (..., Lk, E), v (..., Lk, Ev).
//
// Causal masking comes in two alignments, and they differ only when Lq != Lk:
//  * top-left (PyTorch's `is_causal=True`): query i sees keys j <= i;
//  * bottom-right: query i sees keys j <= i + (Lk - Lq), i.e. the queries are the LAST Lq positions of the key
//    sequence. This is what cached decoding needs (new queries against cache + new keys).
// libtorch >= 2.0 runs at::scaled_dot_product_attention (fused kernels where they apply); 1.13 has none, so the
// same math is spelled out with matmul + softmax.
#include "common.h"

#include <cmath>
#include <limits>

namespace {
enum class Causal : int32_t { None = 0, TopLeft = 1, BottomRight = 2 };

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// (Lq, Lk) bool mask, true = may attend.
at::Tensor causal_mask(int64_t lq, int64_t lk, Causal alignment, const at::Device& device) {
  const int64_t diagonal = alignment == Causal::BottomRight ? lk - lq : 0;
  return at::ones({lq, lk}, at::TensorOptions().dtype(at::kBool).device(device)).tril(diagonal);
}

// A bool mask keeps its meaning (true = attend) and an additive mask gets -inf where `allowed` is false.
at::Tensor restrict_mask(const at::Tensor& mask, const at::Tensor& allowed) {
  if (mask.scalar_type() == at::kBool) return mask.logical_and(allowed);
  return mask.masked_fill(allowed.logical_not(), kNegInf);
}

#if TORCH_VERSION_MAJOR < 2
at::Tensor math_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                          const c10::optional<at::Tensor>& mask, double dropout_p, bool is_causal, double scale) {
  auto scores = at::matmul(q.mul(scale), k.transpose(-2, -1));  // (..., Lq, Lk)
  if (is_causal) scores.masked_fill_(causal_mask(q.size(-2), k.size(-2), Causal::TopLeft, q.device()).logical_not(), kNegInf);
  if (mask.has_value()) {
    if (mask->scalar_type() == at::kBool) scores.masked_fill_(mask->logical_not(), kNegInf);
    else scores.add_(*mask);
  }
  // Half/bfloat16 scores are normalised in float32: exp of large logits overflows half.
  const bool reduced = q.scalar_type() == at::kHalf || q.scalar_type() == at::kBFloat16;
  auto weights = at::softmax(scores, -1, reduced ? c10::optional<at::ScalarType>(at::kFloat) : c10::nullopt);
  if (dropout_p > 0) weights = at::dropout(weights, dropout_p, /*train=*/true);
  return at::matmul(weights.to(v.scalar_type()), v);  // (..., Lq, Ev)
}
#endif

at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, c10::optional<at::Tensor> mask,
                     double dropout_p, Causal causal, const double* scale) {
  const int64_t lq = q.size(-2), lk = k.size(-2);
  // A single bottom-right query row sees every key.
  if (causal == Causal::BottomRight && lq == 1) causal = Causal::None;
  // Square scores, where both alignments coincide, use the kernels' own causal masking. Anything else becomes an
  // explicit mask, so the result never depends on which alignment a fused backend assumes for Lq != Lk.
  const bool is_causal = causal != Causal::None && lq == lk && !mask.has_value();
  if (causal != Causal::None && !is_causal) {
    auto allowed = causal_mask(lq, lk, causal, q.device());
    mask = mask.has_value() ? restrict_mask(*mask, allowed) : allowed;
  }
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  return at::scaled_dot_product_attention(q, k, v, mask, dropout_p, is_causal,
                                          scale ? c10::optional<double>(*scale) : c10::nullopt);
#elif TORCH_VERSION_MAJOR == 2
  // 2.0 has no `scale` argument and always uses 1/sqrt(E): fold the ratio into q.
  const auto q_scaled = scale ? q.mul(*scale * std::sqrt(static_cast<double>(q.size(-1)))) : q;
  return at::scaled_dot_product_attention(q_scaled, k, v, mask, dropout_p, is_causal);
#else
  return math_attention(q, k, v, mask, dropout_p, is_causal,
                        scale ? *scale : 1.0 / std::sqrt(static_cast<double>(q.size(-1))));
#endif
}
}  // namespace

// attn_mask: nullable; bool (true = attend) or additive, broadcastable to (..., Lq, Lk).
// causal: 0 = none, 1 = top-left (PyTorch's is_causal), 2 = bottom-right. scale: nullable, default 1/sqrt(E).
LRNN_API tensor_t lrnn_scaled_dot_product_attention(tensor_t q, tensor_t k, tensor_t v, tensor_t attn_mask,
                                                    double dropout_p, int32_t causal, const double* scale) {
  if (causal < 0 || causal > 2) {
    lrnn::set_error(LRNN_ERR_ARGUMENT, ("causal must be 0, 1 or 2, got " + std::to_string(causal)).c_str());
    return nullptr;
  }
  LRNN_TENSOR(attention(*q, *k, *v, attn_mask ? c10::optional<at::Tensor>(*attn_mask) : c10::nullopt, dropout_p,
                        static_cast<Causal>(causal), scale));
}
