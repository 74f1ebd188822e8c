using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// profiler.cpp
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int lrnn_profiler_available();
    [LibraryImport(Lib)] internal static partial int lrnn_profiler_start(int withCuda);
    [LibraryImport(Lib)] internal static partial ProfilerResultHandle lrnn_profiler_stop();
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int lrnn_profiler_result_save(ProfilerResultHandle result, string path);
    [LibraryImport(Lib)] internal static partial void lrnn_profiler_result_free(IntPtr result);
}
