using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// reduction.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sum_all(TensorHandle a, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sum(TensorHandle a, long* dims, int ndims, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_mean_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_mean(TensorHandle a, long* dims, int ndims, int keepdim);
}
