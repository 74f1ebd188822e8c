// Automatic mixed precision (autocast) state, per thread and per device type (CPU, CUDA). The C# guard
// (torch.autocast) saves the previous state, sets its own, and restores the previous one on exit; when the
// outermost autocast block exits, the cache of casted weights is cleared, as PyTorch's autocast does.
//
// PyTorch 2.4 replaced the per-device functions (is_enabled / set_autocast_gpu_dtype / is_cpu_enabled ...)
// with device-generic ones taking an at::DeviceType; the old ones are deprecated there.
#include "common.h"

#include <ATen/autocast_mode.h>

#define LRNN_GENERIC_AUTOCAST (TORCH_VERSION_MAJOR * 100 + TORCH_VERSION_MINOR >= 204)

namespace {
at::DeviceType autocast_device(int32_t device_type) {
  const auto type = static_cast<at::DeviceType>(device_type);
  LRNN_REQUIRE(type == at::kCPU || type == at::kCUDA, "autocast supports the cpu and cuda device types only");
  return type;
}
}  // namespace

LRNN_API int32_t lrnn_autocast_is_enabled(int32_t device_type) {
  try {
    lrnn::clear_error();
    const auto type = autocast_device(device_type);
#if LRNN_GENERIC_AUTOCAST
    return at::autocast::is_autocast_enabled(type) ? 1 : 0;
#else
    return (type == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled()) ? 1 : 0;
#endif
  }
  LRNN_CATCH(-1)
}

LRNN_API int32_t lrnn_autocast_set_enabled(int32_t device_type, int32_t enabled) {
  LRNN_STATUS({
    const auto type = autocast_device(device_type);
#if LRNN_GENERIC_AUTOCAST
    at::autocast::set_autocast_enabled(type, enabled != 0);
#else
    if (type == at::kCUDA)
      at::autocast::set_enabled(enabled != 0);
    else
      at::autocast::set_cpu_enabled(enabled != 0);
#endif
  });
}

LRNN_API int32_t lrnn_autocast_get_dtype(int32_t device_type) {
  try {
    lrnn::clear_error();
    const auto type = autocast_device(device_type);
#if LRNN_GENERIC_AUTOCAST
    return static_cast<int32_t>(at::autocast::get_autocast_dtype(type));
#else
    return static_cast<int32_t>(type == at::kCUDA ? at::autocast::get_autocast_gpu_dtype()
                                                  : at::autocast::get_autocast_cpu_dtype());
#endif
  }
  LRNN_CATCH(-1)
}

LRNN_API int32_t lrnn_autocast_set_dtype(int32_t device_type, int32_t dtype) {
  LRNN_STATUS({
    const auto type = autocast_device(device_type);
    const auto scalar_type = static_cast<at::ScalarType>(dtype);
#if LRNN_GENERIC_AUTOCAST
    at::autocast::set_autocast_dtype(type, scalar_type);
#else
    if (type == at::kCUDA)
      at::autocast::set_autocast_gpu_dtype(scalar_type);
    else
      at::autocast::set_autocast_cpu_dtype(scalar_type);
#endif
  });
}

// Nesting depth of autocast blocks on this thread; leaving the outermost one clears the cast cache.
LRNN_API int32_t lrnn_autocast_enter() { LRNN_VALUE(-1, at::autocast::increment_nesting()); }
LRNN_API int32_t lrnn_autocast_exit() {
  LRNN_VALUE(-1, [] {
    const int depth = at::autocast::decrement_nesting();
    if (depth == 0) at::autocast::clear_cache();
    return depth;
  }());
}
