using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// views.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_view(TensorHandle a, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_reshape(TensorHandle a, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_transpose(TensorHandle a, long d0, long d1);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_permute(TensorHandle a, long* dims, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_flatten(TensorHandle a, long startDim, long endDim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_unflatten(TensorHandle a, long dim, long* sizes, int nsizes);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_unsqueeze(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_squeeze(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_squeeze_dim(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_expand(TensorHandle a, long* sizes, int nsizes);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_contiguous(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_clone(TensorHandle a);

    [LibraryImport(Lib)] internal static partial IntPtr lrnn_narrow(TensorHandle a, long dim, long start, long length);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_slice(TensorHandle a, long dim, long start, long end, long step);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_select(TensorHandle a, long dim, long index);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_tril(TensorHandle a, long diagonal);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_triu(TensorHandle a, long diagonal);

    [LibraryImport(Lib)] internal static partial IntPtr lrnn_flip(TensorHandle a, long* dims, int ndims);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_roll(TensorHandle a, long* shifts, int nshifts, long* dims, int ndims);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_repeat(TensorHandle a, long* repeats, int nrepeats);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_repeat_interleave(TensorHandle a, long repeats, long dim, int hasDim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_constant_pad(TensorHandle a, long* pad, int npad, NativeScalar value);

    [LibraryImport(Lib)] internal static partial IntPtr lrnn_cat(IntPtr* list, long n, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_stack(IntPtr* list, long n, long dim);

    [LibraryImport(Lib)] internal static partial long lrnn_chunk(TensorHandle a, long chunks, long dim, IntPtr* result, long cap);
    [LibraryImport(Lib)] internal static partial long lrnn_split(TensorHandle a, long splitSize, long dim, IntPtr* result, long cap);
    [LibraryImport(Lib)] internal static partial long lrnn_split_with_sizes(TensorHandle a, long* sizes, int nsizes, long dim, IntPtr* result, long cap);
    [LibraryImport(Lib)] internal static partial long lrnn_unbind(TensorHandle a, long dim, IntPtr* result, long cap);
}
