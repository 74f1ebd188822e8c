// Shared conventions of the C ABI (see CONTRIBUTING.md):
//  * tensors cross the boundary as opaque `at::Tensor*` handles owned by the caller and released with
//    lrnn_tensor_free; a function that produces a tensor returns a new handle, or nullptr on error;
//  * functions without a tensor result return an int status (0 = ok, < 0 = error);
//  * every export catches everything: a C++ exception never unwinds into the CLR. The error is kept in a
//    thread-local record (code + message without the C++ backtrace) that C# reads with
//    lrnn_last_error_code / lrnn_last_error_message, so no string is ever allocated for the caller to free;
//  * scalars travel by value (lrnn_scalar): no native Scalar objects exist.
#pragma once
#include "pch.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#define LRNN_API extern "C" __attribute__((visibility("default")))

// Error codes shared with C# (Lrnn.Torch.Native.ErrorCode).
enum lrnn_error_code : int32_t {
  LRNN_OK = 0,
  LRNN_ERR_TORCH = 1,          // c10::Error not covered below
  LRNN_ERR_OUT_OF_MEMORY = 2,  // c10::OutOfMemoryError
  LRNN_ERR_INDEX = 3,          // c10::IndexError
  LRNN_ERR_VALUE = 4,          // c10::ValueError
  LRNN_ERR_TYPE = 5,           // c10::TypeError
  LRNN_ERR_NOT_IMPLEMENTED = 6,// c10::NotImplementedError
  LRNN_ERR_STD = 7,            // std::exception
  LRNN_ERR_UNKNOWN = 8,        // anything else (catch ...)
  LRNN_ERR_ARGUMENT = 9,       // invalid argument detected by the shim itself
};

// A scalar by value: `kind` 0 = floating (d), 1 = integral (i), 2 = boolean (i != 0),
// 3 = complex (d + i*imag).
struct lrnn_scalar {
  double d;
  int64_t i;
  double imag;
  int32_t kind;
};

using tensor_t = at::Tensor*;

namespace lrnn {

void set_error(int32_t code, const char* message);
void clear_error();
extern std::atomic<int64_t> g_live_tensors;

inline at::Scalar to_scalar(const lrnn_scalar& s) {
  switch (s.kind) {
    case 1: return at::Scalar(s.i);
    case 2: return at::Scalar(s.i != 0);
    case 3: return at::Scalar(c10::complex<double>(s.d, s.imag));
    default: return at::Scalar(s.d);
  }
}

// Moves a result into a new caller-owned handle. An undefined tensor becomes nullptr with no error set
// (for example the gradient of a leaf that has none).
inline tensor_t wrap(at::Tensor&& t) {
  if (!t.defined()) return nullptr;
  g_live_tensors.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}
inline tensor_t wrap(const at::Tensor& t) { return wrap(at::Tensor(t)); }

inline at::IntArrayRef dims(const int64_t* p, int64_t n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

inline std::vector<at::Tensor> tensors(tensor_t const* p, int64_t n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) v.push_back(*p[k]);
  return v;
}

inline c10::optional<at::ScalarType> opt_dtype(int32_t dtype) {
  if (dtype < 0) return c10::nullopt;
  return static_cast<at::ScalarType>(dtype);
}

inline at::Device device_of(int32_t type, int32_t index) {
  return at::Device(static_cast<at::DeviceType>(type), static_cast<at::DeviceIndex>(index));
}

inline at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index, bool requires_grad) {
  auto o = at::TensorOptions().device(device_of(device_type, device_index)).requires_grad(requires_grad);
  if (dtype >= 0) o = o.dtype(static_cast<at::ScalarType>(dtype));
  return o;
}

// Writes a list of results into a caller-provided array of capacity `cap`; returns the count, or -1 with
// an argument error when the caller's array is too small.
int64_t write_list(const std::vector<at::Tensor>& list, tensor_t* out, int64_t cap);

}  // namespace lrnn

// The catch ladder of every export. Most specific first: OutOfMemoryError, IndexError, ... are c10::Error.
#define LRNN_CATCH(failure_value)                                                                    \
  catch (const c10::OutOfMemoryError& e) { lrnn::set_error(LRNN_ERR_OUT_OF_MEMORY, e.what_without_backtrace()); } \
  catch (const c10::IndexError& e) { lrnn::set_error(LRNN_ERR_INDEX, e.what_without_backtrace()); }   \
  catch (const c10::ValueError& e) { lrnn::set_error(LRNN_ERR_VALUE, e.what_without_backtrace()); }   \
  catch (const c10::TypeError& e) { lrnn::set_error(LRNN_ERR_TYPE, e.what_without_backtrace()); }     \
  catch (const c10::NotImplementedError& e) { lrnn::set_error(LRNN_ERR_NOT_IMPLEMENTED, e.what_without_backtrace()); } \
  catch (const c10::Error& e) { lrnn::set_error(LRNN_ERR_TORCH, e.what_without_backtrace()); }        \
  catch (const std::bad_alloc& e) { lrnn::set_error(LRNN_ERR_OUT_OF_MEMORY, e.what()); }              \
  catch (const std::invalid_argument& e) { lrnn::set_error(LRNN_ERR_ARGUMENT, e.what()); }            \
  catch (const std::out_of_range& e) { lrnn::set_error(LRNN_ERR_INDEX, e.what()); }                   \
  catch (const std::exception& e) { lrnn::set_error(LRNN_ERR_STD, e.what()); }                        \
  catch (...) { lrnn::set_error(LRNN_ERR_UNKNOWN, "unknown native exception"); }                      \
  return failure_value;

// `LRNN_TENSOR(expr)`: body of an export returning a new tensor handle.
#define LRNN_TENSOR(...)                   \
  try {                                    \
    lrnn::clear_error();                   \
    return lrnn::wrap(__VA_ARGS__);        \
  }                                        \
  LRNN_CATCH(nullptr)

// `LRNN_STATUS({ statements; })`: body of an export returning a status.
#define LRNN_STATUS(...)                   \
  try {                                    \
    lrnn::clear_error();                   \
    __VA_ARGS__;                           \
    return 0;                              \
  }                                        \
  LRNN_CATCH(-1)

// `LRNN_VALUE(failure, expr)`: body of an export returning a plain value.
#define LRNN_VALUE(failure, ...)           \
  try {                                    \
    lrnn::clear_error();                   \
    return (__VA_ARGS__);                  \
  }                                        \
  LRNN_CATCH(failure)

#define LRNN_REQUIRE(cond, msg)                                   \
  do {                                                            \
    if (!(cond)) throw std::invalid_argument(std::string(msg));   \
  } while (0)
