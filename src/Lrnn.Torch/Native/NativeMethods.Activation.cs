using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// activation.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sigmoid(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_tanh(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_relu(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_silu(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_gelu(TensorHandle a, int approximate);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_softplus(TensorHandle a, double beta, double threshold);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_glu(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_softmax(TensorHandle a, long dim, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_log_softmax(TensorHandle a, long dim, int dtype);
}
