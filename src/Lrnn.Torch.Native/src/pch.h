// Precompiled header: libtorch's headers dominate compile time, so every translation unit shares them.
#pragma once
#include <torch/torch.h>
#include <torch/version.h>
#include <ATen/ATen.h>
#include <c10/util/Exception.h>
