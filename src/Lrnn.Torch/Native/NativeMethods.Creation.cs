using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// creation.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_empty(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_zeros(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_ones(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_full(long* shape, int ndim, NativeScalar value, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_arange(NativeScalar start, NativeScalar end, NativeScalar step, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_linspace(double start, double end, long steps, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_eye(long n, long m, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_empty_like(TensorHandle a, int dtype, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_zeros_like(TensorHandle a, int dtype, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_ones_like(TensorHandle a, int dtype, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_full_like(TensorHandle a, NativeScalar value, int dtype, int requiresGrad);
}
