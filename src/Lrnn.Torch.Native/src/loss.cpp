// Losses. `reduction` is at::Reduction::Reduction: 0 = none, 1 = mean, 2 = sum.
#include "common.h"

namespace {
c10::optional<at::Tensor> opt_tensor(tensor_t t) {
  if (t == nullptr) return c10::nullopt;
  return *t;
}
}  // namespace

// logits (N, C) or (N, C, d1, ...) or (C); target class indices (N, d1, ...) or class probabilities shaped like
// the logits. A mean over targets that are all `ignore_index` divides 0 by 0: libtorch returns NaN.
LRNN_API tensor_t lrnn_cross_entropy(tensor_t logits, tensor_t target, tensor_t weight /* nullable */, int32_t reduction,
                                     int64_t ignore_index, double label_smoothing) {
  LRNN_TENSOR(at::cross_entropy_loss(*logits, *target, opt_tensor(weight), reduction, ignore_index, label_smoothing));
}
LRNN_API tensor_t lrnn_nll_loss(tensor_t log_probs, tensor_t target, tensor_t weight /* nullable */, int32_t reduction,
                                int64_t ignore_index) {
  LRNN_TENSOR(at::nll_loss_nd(*log_probs, *target, opt_tensor(weight), reduction, ignore_index));
}
LRNN_API tensor_t lrnn_mse_loss(tensor_t input, tensor_t target, int32_t reduction) {
  LRNN_TENSOR(at::mse_loss(*input, *target, reduction));
}
