using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// cuda.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int lrnn_cuda_is_available();
    [LibraryImport(Lib)] internal static partial int lrnn_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int lrnn_cuda_synchronize(int device);
    [LibraryImport(Lib)] internal static partial int lrnn_cuda_manual_seed_all(ulong seed);
    [LibraryImport(Lib)] internal static partial int lrnn_cuda_memory_stats(int device, long* out4);
    [LibraryImport(Lib)] internal static partial int lrnn_cuda_reset_peak_memory_stats(int device);
    [LibraryImport(Lib)] internal static partial int lrnn_cuda_empty_cache();
}
