using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// attention.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial IntPtr lrnn_scaled_dot_product_attention(TensorHandle q, TensorHandle k, TensorHandle v, TensorHandle attnMask,
        double dropoutP, int causal, double* scale);
}
