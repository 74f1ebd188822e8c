// selective_scan through the fused CUDA kernels (src/cuda/selective_scan.cu), for selective_scan.cpp to try first.
#pragma once
#include "common.h"

namespace lrnn {

// y (B, D, L) in u's dtype and h_last (B, D, N) float32 of selective_scan.cpp's op, as one autograd node over the
// fused kernels (differentiable in every tensor); false, with nothing done, when the kernels do not take these inputs
// (kernels::selective_scan_applies). Undefined tensors are absent; mode: 0 mamba, 1 zoh, 2 bilinear, 3 dirac.
bool fused_selective_scan(const at::Tensor& u, const at::Tensor& delta, const at::Tensor& A, const at::Tensor& B,
                          const at::Tensor& C, const at::Tensor& D, const at::Tensor& z, const at::Tensor& delta_bias,
                          bool softplus, const at::Tensor& h0, const at::Tensor& delta_a, int64_t mode, at::Tensor& y,
                          at::Tensor& h_last);

}  // namespace lrnn
