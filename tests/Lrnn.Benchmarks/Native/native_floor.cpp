// The native floor of the binding's overhead benchmarks (OverheadBenchmarks.NativeFloor): the same small workloads
// the C# benchmarks run, looped in C++ against libtorch's own API, so no ABI crossing, handle allocation or error
// record is paid. "Binding overhead" = (C# time per op) − (this time per op).
// Its own library (liblrnn_bench.so, built by the shim's CMake project with the same libtorch), not part of the
// shim: the shim ships no benchmark code. Tensors arrive as the shim's handles (at::Tensor*).
#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace {

// Must match Lrnn.Benchmarks.BenchWorkload (C#) and WORKLOADS in scripts/bench_pytorch_overhead.py.
enum bench_workload : int32_t {
  BENCH_ADD = 0,     // a + b
  BENCH_MATMUL = 1,  // a @ b
  BENCH_CHAIN = 2,   // ten elementwise ops, see chain()
};

// Ten elementwise ops on (a, b); b must have no zeros. Each intermediate is released as the next replaces it,
// as `using var` does in C# and reference counting does in Python.
at::Tensor chain(const at::Tensor& a, const at::Tensor& b) {
  auto t = at::add(a, b);
  t = at::mul(t, b);
  t = at::sub(t, a);
  t = at::div(t, b);
  t = at::add(t, 1.0);
  t = at::mul(t, 0.5);
  t = at::sub(t, 0.25);
  t = at::div(t, 2.0);
  t = at::neg(t);
  return at::exp(t);
}

at::Tensor run_once(int32_t workload, const at::Tensor& a, const at::Tensor& b) {
  switch (workload) {
    case BENCH_ADD: return at::add(a, b);
    case BENCH_MATMUL: return at::matmul(a, b);
    case BENCH_CHAIN: return chain(a, b);
    default: throw std::invalid_argument("unknown benchmark workload " + std::to_string(workload));
  }
}

}  // namespace

// Runs `workload` on (a, b) `iters` times and returns the mean wall time of one iteration in nanoseconds, or -1
// on any error (the C# side throws). No warm-up here: the caller (BenchmarkDotNet) warms up and times the whole
// call, so the returned figure and the caller's figure divided by `iters` agree.
extern "C" __attribute__((visibility("default"))) double lrnn_bench_loop(int32_t workload, at::Tensor* a, at::Tensor* b,
                                                                        int64_t iters) {
  try {
    if (a == nullptr || b == nullptr || iters <= 0) return -1.0;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t k = 0; k < iters; ++k) run_once(workload, *a, *b);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()) /
           static_cast<double>(iters);
  } catch (...) {
    return -1.0;
  }
}
