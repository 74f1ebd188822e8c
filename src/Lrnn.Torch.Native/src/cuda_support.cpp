// The parts of the CUDA surface that need libtorch_cuda / c10_cuda headers and symbols. Compiled only when
// CMake finds libtorch_cuda (LRNN_WITH_CUDA). make_generator() calls into libtorch_cuda
// (at::cuda::detail::createCUDAGenerator), which also keeps the link dependency on it real: without a
// referenced symbol the linker may drop libtorch_cuda and CUDA reports "unavailable" (see CMakeLists.txt).
#include "cuda_support.h"

#include <ATen/cuda/CUDAGeneratorImpl.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>

namespace lrnn::cuda {
namespace {
namespace allocator = c10::cuda::CUDACachingAllocator;

// StatType::AGGREGATE (all pools together). The enum moved from c10::cuda::CUDACachingAllocator to c10 and
// then to c10::CachingAllocator across 2.x releases; its value has always been 0.
constexpr size_t kAggregate = 0;

c10::DeviceIndex resolve(int32_t device) {
  return device < 0 ? c10::cuda::current_device() : static_cast<c10::DeviceIndex>(device);
}
}  // namespace

MemoryStats memory_stats(int32_t device) {
  const auto stats = allocator::getDeviceStats(resolve(device));
  return MemoryStats{stats.allocated_bytes[kAggregate].current, stats.reserved_bytes[kAggregate].current,
                     stats.allocated_bytes[kAggregate].peak, stats.reserved_bytes[kAggregate].peak};
}

void reset_peak_stats(int32_t device) { allocator::resetPeakStats(resolve(device)); }

void empty_cache() { allocator::emptyCache(); }

at::Generator make_generator(int32_t device) {
  return at::cuda::detail::createCUDAGenerator(static_cast<c10::DeviceIndex>(device));
}

}  // namespace lrnn::cuda
