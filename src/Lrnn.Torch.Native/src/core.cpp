// Error record, library information and the tensor handle's own life cycle.
#include <ATen/Version.h>

#include "common.h"
#include "cpu_kernels.h"
#include "kernels.h"

#include <cstring>

namespace {
thread_local int32_t t_error_code = LRNN_OK;
thread_local std::string t_error_message;
}  // namespace

namespace lrnn {
std::atomic<int64_t> g_live_tensors{0};

void set_error(int32_t code, const char* message) {
  t_error_code = code;
  t_error_message = message ? message : "";
}
void clear_error() { t_error_code = LRNN_OK; }

int64_t write_list(const std::vector<at::Tensor>& list, tensor_t* out, int64_t cap) {
  const auto n = static_cast<int64_t>(list.size());
  if (n > cap) {
    set_error(LRNN_ERR_ARGUMENT, ("result has " + std::to_string(n) + " tensors, caller expected at most " +
                                  std::to_string(cap)).c_str());
    return -1;
  }
  for (int64_t k = 0; k < n; ++k) out[k] = wrap(list[static_cast<size_t>(k)]);
  return n;
}
}  // namespace lrnn

// ---- errors --------------------------------------------------------------------------------------
LRNN_API int32_t lrnn_last_error_code() { return t_error_code; }
// Valid until the next failing call on this thread; the caller copies it.
LRNN_API const char* lrnn_last_error_message() { return t_error_code == LRNN_OK ? "" : t_error_message.c_str(); }

// ---- library information -------------------------------------------------------------------------
LRNN_API int32_t lrnn_abi_version() { return 1; }
LRNN_API int32_t lrnn_torch_version_major() { return TORCH_VERSION_MAJOR; }
LRNN_API int32_t lrnn_torch_version_minor() { return TORCH_VERSION_MINOR; }
LRNN_API int32_t lrnn_torch_version_patch() { return TORCH_VERSION_PATCH; }
LRNN_API const char* lrnn_torch_source() { return LRNN_TORCH_SOURCE; }
LRNN_API int32_t lrnn_built_with_cuda() {
#ifdef LRNN_WITH_CUDA
  return 1;
#else
  return 0;
#endif
}
// Whether the hand-written CUDA kernels (src/cuda/) are built in and allowed (LRNN_CUDA_KERNELS≠0): kernels.h.
LRNN_API int32_t lrnn_cuda_kernels_enabled() { return lrnn::kernels::enabled() ? 1 : 0; }
// Whether the hand-written CPU kernels (cpu_kernels.h) are allowed (LRNN_CPU_KERNELS≠0).
LRNN_API int32_t lrnn_cpu_kernels_enabled() { return lrnn::cpu_kernels::enabled() ? 1 : 0; }
LRNN_API int32_t lrnn_cpu_kernels_set_enabled(int32_t on) { return lrnn::cpu_kernels::set_enabled(on != 0) ? 1 : 0; }
// libtorch's build record (at::show_config(): compiler, BLAS_INFO, LAPACK_INFO, ...), valid for the process' life.
LRNN_API const char* lrnn_build_config() {
  static const std::string config = [] {
    try {
      return at::show_config();
    } catch (...) {
      return std::string();
    }
  }();
  return config.c_str();
}
LRNN_API int64_t lrnn_live_tensor_count() { return lrnn::g_live_tensors.load(std::memory_order_relaxed); }

LRNN_API int32_t lrnn_set_num_threads(int32_t n) { LRNN_STATUS(at::set_num_threads(n)); }
LRNN_API int32_t lrnn_get_num_threads() { LRNN_VALUE(-1, at::get_num_threads()); }

// Throws each kind of native failure on demand, so tests can prove the process survives all of them.
LRNN_API tensor_t lrnn_test_throw(int32_t kind) {
  try {
    lrnn::clear_error();
    switch (kind) {
      case 0: TORCH_CHECK(false, "test c10::Error");
      case 1: throw std::runtime_error("test std::runtime_error");
      case 2: throw 42;
      case 3: throw std::bad_alloc();
      case 4: TORCH_CHECK_INDEX(false, "test IndexError");
      default: break;
    }
    return nullptr;
  }
  LRNN_CATCH(nullptr)
}

// ---- tensor handle -------------------------------------------------------------------------------
LRNN_API void lrnn_tensor_free(tensor_t t) {
  if (t == nullptr) return;
  lrnn::g_live_tensors.fetch_sub(1, std::memory_order_relaxed);
  try {
    delete t;
  } catch (...) {
  }
}

// A second handle sharing the same TensorImpl (like `b = a` in Python).
LRNN_API tensor_t lrnn_tensor_alias(tensor_t t) { LRNN_TENSOR(at::Tensor(*t)); }

LRNN_API int64_t lrnn_tensor_dim(tensor_t t) { LRNN_VALUE(-1, t->dim()); }
LRNN_API int64_t lrnn_tensor_numel(tensor_t t) { LRNN_VALUE(-1, t->numel()); }
LRNN_API int32_t lrnn_tensor_shape(tensor_t t, int64_t* out, int32_t cap) {
  LRNN_STATUS({
    LRNN_REQUIRE(cap >= t->dim(), "shape buffer too small");
    for (int64_t k = 0; k < t->dim(); ++k) out[k] = t->size(k);
  });
}
LRNN_API int32_t lrnn_tensor_strides(tensor_t t, int64_t* out, int32_t cap) {
  LRNN_STATUS({
    LRNN_REQUIRE(cap >= t->dim(), "stride buffer too small");
    for (int64_t k = 0; k < t->dim(); ++k) out[k] = t->stride(k);
  });
}
LRNN_API int32_t lrnn_tensor_dtype(tensor_t t) { LRNN_VALUE(-1, static_cast<int32_t>(t->scalar_type())); }
LRNN_API int32_t lrnn_tensor_device_type(tensor_t t) { LRNN_VALUE(-1, static_cast<int32_t>(t->device().type())); }
LRNN_API int32_t lrnn_tensor_device_index(tensor_t t) { LRNN_VALUE(-2, static_cast<int32_t>(t->device().index())); }
LRNN_API int32_t lrnn_tensor_is_contiguous(tensor_t t) { LRNN_VALUE(-1, t->is_contiguous() ? 1 : 0); }
LRNN_API int32_t lrnn_tensor_requires_grad(tensor_t t) { LRNN_VALUE(-1, t->requires_grad() ? 1 : 0); }
LRNN_API int32_t lrnn_tensor_is_leaf(tensor_t t) { LRNN_VALUE(-1, t->is_leaf() ? 1 : 0); }
LRNN_API int32_t lrnn_tensor_same_storage(tensor_t a, tensor_t b) { LRNN_VALUE(-1, a->is_alias_of(*b) ? 1 : 0); }
// The version counter: bumped by every in-place write to the tensor or to a view sharing its counter.
LRNN_API int64_t lrnn_tensor_version(tensor_t t) { LRNN_VALUE(-1, static_cast<int64_t>(t->_version())); }
LRNN_API int64_t lrnn_tensor_storage_offset(tensor_t t) { LRNN_VALUE(-1, t->storage_offset()); }
LRNN_API int64_t lrnn_tensor_element_size(tensor_t t) { LRNN_VALUE(-1, static_cast<int64_t>(t->element_size())); }

// Copies a tensor's elements (any device, any layout) into a caller buffer of `nbytes`, in row-major order.
LRNN_API int32_t lrnn_tensor_copy_to_buffer(tensor_t t, void* dst, int64_t nbytes) {
  LRNN_STATUS({
    auto c = t->detach().to(at::kCPU).contiguous();
    const int64_t need = c.numel() * static_cast<int64_t>(c.element_size());
    LRNN_REQUIRE(need == nbytes, "buffer size " + std::to_string(nbytes) + " bytes does not match tensor size " +
                                     std::to_string(need) + " bytes");
    if (need > 0) std::memcpy(dst, c.data_ptr(), static_cast<size_t>(need));
  });
}

// Creates a CPU tensor holding a copy of `nbytes` from `src`, then moves it to the requested device.
LRNN_API tensor_t lrnn_tensor_from_buffer(const void* src, int64_t nbytes, const int64_t* shape, int32_t ndim,
                                          int32_t dtype, int32_t device_type, int32_t device_index,
                                          int32_t requires_grad) {
  try {
    lrnn::clear_error();
    auto t = at::empty(lrnn::dims(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    const int64_t need = t.numel() * static_cast<int64_t>(t.element_size());
    LRNN_REQUIRE(need == nbytes, "data has " + std::to_string(nbytes) + " bytes but shape needs " + std::to_string(need));
    if (need > 0) std::memcpy(t.data_ptr(), src, static_cast<size_t>(need));
    auto dev = lrnn::device_of(device_type, device_index);
    if (dev != t.device()) t = t.to(dev);
    if (requires_grad) t.requires_grad_(true);
    return lrnn::wrap(std::move(t));
  }
  LRNN_CATCH(nullptr)
}

// item(): the single element as double (real part) / imaginary part / int64.
LRNN_API int32_t lrnn_tensor_item(tensor_t t, double* re, double* im, int64_t* iv) {
  LRNN_STATUS({
    auto s = t->item();
    if (s.isComplex()) {
      auto c = s.toComplexDouble();
      *re = c.real();
      *im = c.imag();
      *iv = 0;
    } else if (s.isIntegral(/*includeBool=*/true)) {
      *iv = s.toLong();
      *re = static_cast<double>(*iv);
      *im = 0;
    } else {
      *re = s.toDouble();
      *im = 0;
      *iv = 0;
    }
  });
}

LRNN_API tensor_t lrnn_tensor_to(tensor_t t, int32_t dtype, int32_t device_type, int32_t device_index,
                                 int32_t non_blocking, int32_t copy) {
  const auto target = dtype >= 0 ? static_cast<at::ScalarType>(dtype) : t->scalar_type();
  LRNN_TENSOR(t->to(lrnn::device_of(device_type, device_index), target, non_blocking != 0, copy != 0));
}
LRNN_API tensor_t lrnn_tensor_to_dtype(tensor_t t, int32_t dtype) { LRNN_TENSOR(t->to(static_cast<at::ScalarType>(dtype))); }

// A human-readable summary of values (libtorch's printer), for ToString(true).
LRNN_API int32_t lrnn_tensor_print(tensor_t t, char* buf, int32_t cap) {
  try {
    lrnn::clear_error();
    std::ostringstream os;
    os << *t;
    auto s = os.str();
    if (static_cast<int32_t>(s.size()) + 1 > cap) return static_cast<int32_t>(s.size()) + 1;
    std::memcpy(buf, s.data(), s.size());
    buf[s.size()] = 0;
    return 0;
  }
  LRNN_CATCH(-1)
}
