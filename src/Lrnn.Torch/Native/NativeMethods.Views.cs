using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// views.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_view(TensorHandle a, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_reshape(TensorHandle a, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_transpose(TensorHandle a, long d0, long d1);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_contiguous(TensorHandle a);
}
