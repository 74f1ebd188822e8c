using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lrnn.Torch;
using Lrnn.Torch.Native;

namespace Lrnn.Benchmarks.Native;

/// <summary>
/// The native floor (native_floor.cpp): a workload looped in C++ inside libtorch. Its library, liblrnn_bench.so, is
/// built beside the shim (same CMake project, same libtorch) but is not part of it; it is looked for next to this
/// assembly, then next to the loaded shim.
/// </summary>
internal static partial class NativeFloorLibrary
{
    private const string Lib = "lrnn_bench";
    private const string FileName = "liblrnn_bench.so";

#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeFloorLibrary).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Lib) return IntPtr.Zero;
        NativeLibraryLoader.EnsureLoaded();
        var candidates = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(NativeLibraryLoader.LoadedPath) }
            .Where(d => !string.IsNullOrEmpty(d)).Select(d => Path.Combine(d!, FileName)).ToList();
        foreach (var path in candidates)
            if (File.Exists(path)) return NativeLibrary.Load(path);
        throw new DllNotFoundException($"{FileName} not found (tried {string.Join(", ", candidates)}); build the solution without LrnnSkipNative");
    }

    [LibraryImport(Lib)] private static partial double lrnn_bench_loop(int workload, IntPtr a, IntPtr b, long iters);

    /// <summary>Mean nanoseconds per iteration of <paramref name="workload"/> looped <paramref name="iters"/> times in C++.</summary>
    public static double Loop(BenchWorkload workload, Tensor a, Tensor b, long iters)
    {
        var nanoseconds = lrnn_bench_loop((int)workload, a.Handle.DangerousGetHandle(), b.Handle.DangerousGetHandle(), iters);
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        return nanoseconds >= 0 ? nanoseconds : throw new InvalidOperationException($"the native floor failed for {workload} ({iters} iterations)");
    }
}
