// Our own autograd operations: a forward with a hand-written backward, as C++ `torch::autograd::Function<T>`s.
//
// Why C++ and not managed callbacks: the autograd engine runs backward on its own threads; a C++ node needs
// no GC handles, no delegates kept alive and no re-entry into the CLR, and it costs one node instead of the
// dozens a composite formula records. A custom backward is also where memory is won: save what the
// gradient needs (often a per-row statistic) instead of every intermediate.
//
// How to write one (see fused_rms_norm.cpp):
//  1. `struct MyOp : torch::autograd::Function<MyOp>` with two static members:
//       static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, ..., double eps);
//       static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
//                                                     torch::autograd::variable_list grad_outputs);
//     forward runs with gradient recording off; any tensor/non-tensor arguments may follow `ctx`.
//  2. In forward, keep tensors with `ctx->save_for_backward({...})` (never store them in saved_data: that
//     bypasses the version-counter check against in-place modification) and plain values in
//     `ctx->saved_data["name"] = value` (an IValue: double, int64_t, bool, ...).
//  3. backward receives one gradient per forward output (possibly undefined if an output was unused) and
//     returns exactly one entry per forward argument after `ctx`, in order: the gradient for a tensor
//     argument, `at::Tensor()` for a non-tensor argument or one that needs no gradient. Each gradient has
//     its input's shape and dtype.
//  4. Write backward with differentiable ATen ops: then `create_graph` (double backward) works for free.
//  5. Export it like any op: `LRNN_API tensor_t lrnn_my_op(...) { LRNN_TENSOR(MyOp::apply(*x, ..., eps)); }`,
//     and bind it in C#: a generic op in Lrnn.Torch (NativeMethods.Fused.cs, torch.nn.functional), a model-specific
//     one in Lrnn.Ops (Native/OpsNativeMethods.cs, one ops.*.cs file per op). Errors thrown in
//     backward reach the caller of `backward()` as a normal c10::Error.
//  6. Test forward against float64 reference math and every gradient against finite differences in
//     float64 (FusedOpsTests).
#pragma once
#include "common.h"

namespace lrnn::autograd {

// The dtype the arithmetic of a fused op runs in: float32 for the 16-bit float types (their sums and
// reciprocal square roots lose too much), the input's own dtype otherwise (float32, float64).
inline at::ScalarType compute_dtype(at::ScalarType input) {
  return input == at::kHalf || input == at::kBFloat16 ? at::kFloat : input;
}

}  // namespace lrnn::autograd
