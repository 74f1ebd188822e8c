using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// cuda.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int lrnn_cuda_is_available();
    [LibraryImport(Lib)] internal static partial int lrnn_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int lrnn_cuda_synchronize(int device);
}
