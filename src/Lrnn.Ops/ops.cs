using Lrnn.Ops.Native;
using Lrnn.Torch.Native;

namespace Lrnn.Ops;

/// <summary>
/// The model-specific native ops, each one C++ autograd node with a hand-written backward
/// (src/Lrnn.Torch.Native/src/autograd_function.h explains how to add one): the layer between the generic binding
/// (<c>Lrnn.Torch</c>) and the mixers. Partial files ops.*.cs hold one op each. Named in lower case, as
/// <c>torch.ops</c>, so that call sites read like PyTorch: <c>ops.selective_scan(u, delta, A, B, C)</c>.
/// </summary>
public static partial class ops
{
    /// <summary>
    /// Whether the hand-written CUDA kernels behind these ops (linear scan, fused cross-entropy row passes, FFT
    /// convolution, S4D kernel generation) run: the shim was built with nvcc and LRNN_CUDA_KERNELS=0 does not switch
    /// them off. Otherwise those ops run their ATen versions, with the same results.
    /// </summary>
    public static bool CudaKernels
    {
        get
        {
            NativeLibraryLoader.EnsureLoaded();
            return OpsNativeMethods.lrnn_cuda_kernels_enabled() == 1;
        }
    }

    /// <summary>
    /// Whether the hand-written CPU scan kernels (linear_scan and selective_scan on CPU tensors) run:
    /// LRNN_CPU_KERNELS=0 switches them off, and the scans then run their ATen versions, with the same results.
    /// </summary>
    public static bool CpuKernels
    {
        get
        {
            NativeLibraryLoader.EnsureLoaded();
            return Native.CpuKernels.Enabled;
        }
    }
}
