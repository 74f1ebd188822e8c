// What nn modules need beyond ordinary ops: in-place replacement of a
// tensor's data (dtype/device moves that keep every handle to the tensor, and so weight ties, valid).
#include "common.h"

// `dst.data = src` in Python: dst keeps its identity and autograd metadata but now holds src's storage,
// dtype and device. All handles to dst (its module, tied modules, callers) see the change.
LRNN_API int32_t lrnn_tensor_set_data(tensor_t dst, tensor_t src) { LRNN_STATUS(dst->set_data(*src)); }

// Embedding's padding row starts at zero (PyTorch's Embedding._fill_padding_idx_with_zero).
LRNN_API int32_t lrnn_embedding_zero_padding_row_(tensor_t weight, int64_t padding_idx) {
  LRNN_STATUS({
    at::NoGradGuard no_grad;
    weight->select(0, padding_idx).zero_();
  });
}
