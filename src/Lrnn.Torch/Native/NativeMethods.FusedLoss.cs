using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// fused_linear_cross_entropy.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int lrnn_fused_linear_cross_entropy(TensorHandle x, IntPtr* weights, long nWeights, TensorHandle bias,
        TensorHandle scale, TensorHandle labels, long ignoreIndex, double labelSmoothing, double softcap, long chunkSize,
        out IntPtr ce, out IntPtr lse);
}
