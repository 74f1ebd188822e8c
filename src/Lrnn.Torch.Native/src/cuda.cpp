// CUDA queries that work in every build (they report "unavailable" without libtorch_cuda), and the exported
// wrappers of the caching allocator, whose implementation lives in cuda_support.cpp (compiled only against
// a CUDA libtorch). Without CUDA the memory statistics read 0 and empty_cache does nothing.
#include "common.h"
#include "cuda_support.h"

LRNN_API int32_t lrnn_cuda_is_available() { LRNN_VALUE(0, torch::cuda::is_available() ? 1 : 0); }
LRNN_API int32_t lrnn_cuda_device_count() { LRNN_VALUE(-1, static_cast<int32_t>(torch::cuda::device_count())); }
LRNN_API int32_t lrnn_cuda_synchronize(int32_t device) { LRNN_STATUS(torch::cuda::synchronize(device)); }

// Seeds the default generator of every CUDA device (none without CUDA).
LRNN_API int32_t lrnn_cuda_manual_seed_all(uint64_t seed) { LRNN_STATUS(torch::cuda::manual_seed_all(seed)); }

// Allocator statistics of `device` (−1: the current device) in bytes: allocated, reserved, peak allocated,
// peak reserved.
LRNN_API int32_t lrnn_cuda_memory_stats(int32_t device, int64_t* out4) {
  LRNN_STATUS({
#ifdef LRNN_WITH_CUDA
    const auto s = lrnn::cuda::memory_stats(device);
    out4[0] = s.allocated;
    out4[1] = s.reserved;
    out4[2] = s.peak_allocated;
    out4[3] = s.peak_reserved;
#else
    for (int k = 0; k < 4; ++k) out4[k] = 0;
#endif
  });
}

LRNN_API int32_t lrnn_cuda_reset_peak_memory_stats(int32_t device) {
  LRNN_STATUS({
#ifdef LRNN_WITH_CUDA
    lrnn::cuda::reset_peak_stats(device);
#endif
  });
}

LRNN_API int32_t lrnn_cuda_empty_cache() {
  LRNN_STATUS({
#ifdef LRNN_WITH_CUDA
    lrnn::cuda::empty_cache();
#endif
  });
}
