// Complex tensors: parts, construction, conjugation and the real <-> complex views.
#include "common.h"

// real/imag are views: writing into them writes into the complex tensor.
LRNN_API tensor_t lrnn_real(tensor_t a) { LRNN_TENSOR(at::real(*a)); }
LRNN_API tensor_t lrnn_imag(tensor_t a) { LRNN_TENSOR(at::imag(*a)); }
LRNN_API tensor_t lrnn_complex(tensor_t re, tensor_t im) { LRNN_TENSOR(at::complex(*re, *im)); }
LRNN_API tensor_t lrnn_polar(tensor_t abs, tensor_t angle) { LRNN_TENSOR(at::polar(*abs, *angle)); }
LRNN_API tensor_t lrnn_angle(tensor_t a) { LRNN_TENSOR(at::angle(*a)); }
// at::conj only flips a lazy "conjugate" bit, which view_as_real rejects and a raw buffer copy ignores;
// conj_physical writes the conjugated values, so every consumer sees them.
LRNN_API tensor_t lrnn_conj(tensor_t a) { LRNN_TENSOR(at::conj_physical(*a)); }
LRNN_API tensor_t lrnn_view_as_real(tensor_t a) { LRNN_TENSOR(at::view_as_real(*a)); }
LRNN_API tensor_t lrnn_view_as_complex(tensor_t a) { LRNN_TENSOR(at::view_as_complex(*a)); }
