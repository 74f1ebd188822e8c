using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// indexing.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_index_select(TensorHandle a, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_gather(TensorHandle a, long dim, TensorHandle index);

    [LibraryImport(Lib)] internal static partial IntPtr lrnn_scatter(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_scatter_value(TensorHandle a, long dim, TensorHandle index, NativeScalar value);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_scatter_add(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int lrnn_scatter_(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int lrnn_scatter_value_(TensorHandle a, long dim, TensorHandle index, NativeScalar value);
    [LibraryImport(Lib)] internal static partial int lrnn_scatter_add_(TensorHandle a, long dim, TensorHandle index, TensorHandle src);

    [LibraryImport(Lib)] internal static partial IntPtr lrnn_index_copy(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int lrnn_index_copy_(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_index_put(TensorHandle a, IntPtr* indices, long n, TensorHandle values, int accumulate);
    [LibraryImport(Lib)] internal static partial int lrnn_index_put_(TensorHandle a, IntPtr* indices, long n, TensorHandle values, int accumulate);

    [LibraryImport(Lib)] internal static partial IntPtr lrnn_masked_fill(TensorHandle a, TensorHandle mask, NativeScalar value);
    [LibraryImport(Lib)] internal static partial int lrnn_masked_fill_(TensorHandle a, TensorHandle mask, NativeScalar value);

    [LibraryImport(Lib)] internal static partial IntPtr lrnn_where(TensorHandle cond, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_where_scalar_other(TensorHandle cond, TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_where_scalar_self(TensorHandle cond, NativeScalar a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_where_scalars(TensorHandle cond, NativeScalar a, NativeScalar b);
}
