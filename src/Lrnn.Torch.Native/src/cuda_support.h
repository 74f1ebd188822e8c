// What cuda_support.cpp provides. That file is compiled only against a CUDA libtorch (LRNN_WITH_CUDA);
// callers guard their use with `#ifdef LRNN_WITH_CUDA` and report "built without CUDA" otherwise.
#pragma once
#include "common.h"

#ifdef LRNN_WITH_CUDA
namespace lrnn::cuda {

// Caching-allocator statistics of one device, in bytes.
struct MemoryStats {
  int64_t allocated;      // held by tensors now
  int64_t reserved;       // held by the allocator now (allocated + cached)
  int64_t peak_allocated; // since start or the last reset_peak_stats
  int64_t peak_reserved;
};

MemoryStats memory_stats(int32_t device);
void reset_peak_stats(int32_t device);
void empty_cache();

// A new generator of its own (not the device's default one).
at::Generator make_generator(int32_t device);

}  // namespace lrnn::cuda
#endif
