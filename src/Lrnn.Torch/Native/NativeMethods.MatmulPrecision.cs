using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// matmul_precision.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int lrnn_get_float32_matmul_precision();
    [LibraryImport(Lib)] internal static partial int lrnn_set_float32_matmul_precision(int code);
    [LibraryImport(Lib)] internal static partial int lrnn_get_allow_tf32_cublas();
    [LibraryImport(Lib)] internal static partial int lrnn_set_allow_tf32_cublas(int allow);
}
