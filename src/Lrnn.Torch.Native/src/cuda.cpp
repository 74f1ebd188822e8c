// CUDA queries that work in every build (they report "unavailable" without libtorch_cuda). Memory
// statistics and the caching allocator live in cuda_support.cpp, compiled only against a CUDA libtorch.
#include "common.h"

LRNN_API int32_t lrnn_cuda_is_available() { LRNN_VALUE(0, torch::cuda::is_available() ? 1 : 0); }
LRNN_API int32_t lrnn_cuda_device_count() { LRNN_VALUE(-1, static_cast<int32_t>(torch::cuda::device_count())); }
LRNN_API int32_t lrnn_cuda_synchronize(int32_t device) { LRNN_STATUS(torch::cuda::synchronize(device)); }
