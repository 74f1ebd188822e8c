using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// reduction.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sum_all(TensorHandle a, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sum(TensorHandle a, long* dims, int ndims, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_mean_all(TensorHandle a, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_mean(TensorHandle a, long* dims, int ndims, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_logsumexp(TensorHandle a, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_cumsum(TensorHandle a, long dim, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_cumprod(TensorHandle a, long dim, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_var(TensorHandle a, long* dims, int ndims, long correction, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_std(TensorHandle a, long* dims, int ndims, long correction, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_max_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_min_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int lrnn_max_dim(TensorHandle a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int lrnn_min_dim(TensorHandle a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_amax(TensorHandle a, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_amin(TensorHandle a, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_argmax(TensorHandle a, long* dim, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_argmin(TensorHandle a, long* dim, int keepdim);
    [LibraryImport(Lib)]
    internal static partial int lrnn_topk(TensorHandle a, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)]
    internal static partial int lrnn_sort(TensorHandle a, long dim, int descending, int stable, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_norm(TensorHandle a, double p, long* dims, int ndims, int keepdim);
}
