using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// functional.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_linear(TensorHandle x, TensorHandle weight, TensorHandle bias);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_embedding(TensorHandle ids, TensorHandle weight, long paddingIdx);
    [LibraryImport(Lib)]
    internal static partial IntPtr lrnn_conv1d(TensorHandle x, TensorHandle weight, TensorHandle bias, long stride, long padding,
        long dilation, long groups);
    [LibraryImport(Lib)]
    internal static partial IntPtr lrnn_layer_norm(TensorHandle x, long* shape, int ndim, TensorHandle weight, TensorHandle bias, double eps);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_rms_norm(TensorHandle x, TensorHandle weight, double eps);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_dropout(TensorHandle x, double p, int training);
}
