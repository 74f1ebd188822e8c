using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// math.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_add(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_add_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sub(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sub_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_rsub_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_mul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_mul_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_div(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_div_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_rdiv_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_matmul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_neg(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_exp(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int lrnn_add_(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial int lrnn_mul_scalar_(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial int lrnn_copy_(TensorHandle dst, TensorHandle src, int nonBlocking);
    [LibraryImport(Lib)] internal static partial int lrnn_zero_(TensorHandle a);
}
