using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// loss.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial IntPtr lrnn_cross_entropy(TensorHandle logits, TensorHandle target, TensorHandle weight, int reduction,
        long ignoreIndex, double labelSmoothing);
    [LibraryImport(Lib)]
    internal static partial IntPtr lrnn_nll_loss(TensorHandle logProbs, TensorHandle target, TensorHandle weight, int reduction, long ignoreIndex);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_mse_loss(TensorHandle input, TensorHandle target, int reduction);
}
