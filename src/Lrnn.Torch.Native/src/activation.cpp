// Activation functions (torch.nn.functional), softmax and log-softmax.
#include "common.h"

LRNN_API tensor_t lrnn_sigmoid(tensor_t a) { LRNN_TENSOR(at::sigmoid(*a)); }
LRNN_API tensor_t lrnn_tanh(tensor_t a) { LRNN_TENSOR(at::tanh(*a)); }
LRNN_API tensor_t lrnn_relu(tensor_t a) { LRNN_TENSOR(at::relu(*a)); }
LRNN_API tensor_t lrnn_silu(tensor_t a) { LRNN_TENSOR(at::silu(*a)); }
// approximate: 0 = exact (erf), 1 = tanh approximation.
LRNN_API tensor_t lrnn_gelu(tensor_t a, int32_t approximate) { LRNN_TENSOR(at::gelu(*a, approximate == 1 ? "tanh" : "none")); }
LRNN_API tensor_t lrnn_softplus(tensor_t a, double beta, double threshold) { LRNN_TENSOR(at::softplus(*a, beta, threshold)); }
LRNN_API tensor_t lrnn_glu(tensor_t a, int64_t dim) { LRNN_TENSOR(at::glu(*a, dim)); }
// dtype >= 0 casts the input before the reduction (e.g. half logits -> float32 probabilities).
LRNN_API tensor_t lrnn_softmax(tensor_t a, int64_t dim, int32_t dtype) { LRNN_TENSOR(at::softmax(*a, dim, lrnn::opt_dtype(dtype))); }
LRNN_API tensor_t lrnn_log_softmax(tensor_t a, int64_t dim, int32_t dtype) {
  LRNN_TENSOR(at::log_softmax(*a, dim, lrnn::opt_dtype(dtype)));
}
