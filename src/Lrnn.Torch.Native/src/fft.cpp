// Discrete Fourier transforms along one dimension (torch.fft).
#include "common.h"

namespace {
// `n` < 0: the input's length along `dim`.
c10::optional<int64_t> fft_length(int64_t n) { return n >= 0 ? c10::optional<int64_t>(n) : c10::nullopt; }

// The normalisation mode as libtorch spells it: 0 "backward" (1/n on the inverse), 1 "forward" (1/n on the
// forward transform), 2 "ortho" (1/sqrt(n) on both).
c10::optional<c10::string_view> fft_norm(int32_t norm) {
  switch (norm) {
    case 0: return c10::string_view("backward");
    case 1: return c10::string_view("forward");
    case 2: return c10::string_view("ortho");
    default: throw std::invalid_argument("fft norm code " + std::to_string(norm) + " is not 0, 1 or 2");
  }
}
}  // namespace

LRNN_API tensor_t lrnn_fft_fft(tensor_t a, int64_t n, int64_t dim, int32_t norm) {
  LRNN_TENSOR(at::fft_fft(*a, fft_length(n), dim, fft_norm(norm)));
}
LRNN_API tensor_t lrnn_fft_ifft(tensor_t a, int64_t n, int64_t dim, int32_t norm) {
  LRNN_TENSOR(at::fft_ifft(*a, fft_length(n), dim, fft_norm(norm)));
}
LRNN_API tensor_t lrnn_fft_rfft(tensor_t a, int64_t n, int64_t dim, int32_t norm) {
  LRNN_TENSOR(at::fft_rfft(*a, fft_length(n), dim, fft_norm(norm)));
}
LRNN_API tensor_t lrnn_fft_irfft(tensor_t a, int64_t n, int64_t dim, int32_t norm) {
  LRNN_TENSOR(at::fft_irfft(*a, fft_length(n), dim, fft_norm(norm)));
}
