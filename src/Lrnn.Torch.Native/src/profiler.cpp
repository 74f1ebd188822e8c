// torch.profiler: libtorch's Kineto profiler, the one behind PyTorch's torch.profiler.profile. It records the ops
// this thread dispatches (CPU) and, with CUDA, the kernels and copies the GPU ran (CUPTI activity tracing, which
// needs no performance-counter permission, unlike Nsight Compute), and saves them as a Chrome trace
// (chrome://tracing, ui.perfetto.dev). Debian's libtorch is built without Kineto: there the start is refused (CMake
// defines LRNN_WITH_KINETO from the libtorch it found), rather than recording a session whose save then fails.
//
// A result is an opaque ProfilerResult* owned by the C# ProfilerResultHandle.
#include "common.h"

#include <torch/csrc/autograd/profiler_kineto.h>

using profiler_result_t = torch::autograd::profiler::ProfilerResult*;

LRNN_API int32_t lrnn_profiler_available() {
#ifdef LRNN_WITH_KINETO
  return 1;
#else
  return 0;
#endif
}

LRNN_API int32_t lrnn_profiler_start(int32_t with_cuda) {
  LRNN_STATUS({
    TORCH_CHECK_NOT_IMPLEMENTED(lrnn_profiler_available(), "profiler: this libtorch (" LRNN_TORCH_SOURCE
                                ") was built without Kineto, the trace profiler; PyTorch's own libtorch has it");
    namespace impl = torch::profiler::impl;
    const impl::ProfilerConfig config(impl::ProfilerState::KINETO);
    std::set<impl::ActivityType> activities{impl::ActivityType::CPU};
    if (with_cuda) activities.insert(impl::ActivityType::CUDA);
    torch::autograd::profiler::prepareProfiler(config, activities);
    torch::autograd::profiler::enableProfiler(config, activities);
  });
}

// Stops the profiler this thread started and returns what it recorded.
LRNN_API profiler_result_t lrnn_profiler_stop() {
  try {
    lrnn::clear_error();
    auto result = torch::autograd::profiler::disableProfiler();
    LRNN_REQUIRE(result != nullptr, "profiler: it was not running on this thread");
    return result.release();
  }
  LRNN_CATCH(nullptr)
}

LRNN_API int32_t lrnn_profiler_result_save(profiler_result_t result, const char* path) {
  LRNN_STATUS(result->save(path));
}

LRNN_API void lrnn_profiler_result_free(profiler_result_t result) { delete result; }
