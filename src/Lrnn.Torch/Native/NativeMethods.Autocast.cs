using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// autocast.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int lrnn_autocast_is_enabled(int deviceType);
    [LibraryImport(Lib)] internal static partial int lrnn_autocast_set_enabled(int deviceType, int enabled);
    [LibraryImport(Lib)] internal static partial int lrnn_autocast_get_dtype(int deviceType);
    [LibraryImport(Lib)] internal static partial int lrnn_autocast_set_dtype(int deviceType, int dtype);
    [LibraryImport(Lib)] internal static partial int lrnn_autocast_enter();
    [LibraryImport(Lib)] internal static partial int lrnn_autocast_exit();
}
