using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

/// <summary>
/// Finds and loads the shim (<c>liblrnn_torch.so</c>) with an explicit search order, and reports every path
/// tried with the loader's own message when none works. TorchSharp's silent fallbacks (#1545, #143) are the
/// reason this is explicit:
/// <list type="number">
/// <item>the <c>LRNN_NATIVE</c> environment variable (the library file, or a folder holding it);</item>
/// <item>next to the application and next to this assembly (also <c>runtimes/linux-x64/native</c>);</item>
/// <item>the CMake build folder this assembly was built with.</item>
/// </list>
/// The shim's dependency on libtorch (and on libtorch_cuda, linked with --no-as-needed) resolves through its
/// RPATH, so a CUDA build that cannot find its CUDA libraries fails here with the loader's message.
/// </summary>
internal static class NativeLibraryLoader
{
    internal const string LibraryName = "lrnn_torch";
    internal const string FileName = "liblrnn_torch.so";
    internal const string EnvironmentVariable = "LRNN_NATIVE";

    private static readonly Lazy<IntPtr> s_handle = new(LoadOrThrow, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The path the shim was loaded from (after the first native call).</summary>
    internal static string? LoadedPath { get; private set; }

    // The resolver must be in place before the first P/Invoke of this assembly, whichever type runs first.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => RegisterFor(typeof(NativeLibraryLoader).Assembly);

    /// <summary>Resolves <paramref name="assembly"/>'s P/Invokes of the shim to the file this loader loads (Lrnn.Ops).</summary>
    internal static void RegisterFor(Assembly assembly) => NativeLibrary.SetDllImportResolver(assembly, Resolve);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibraryName ? s_handle.Value : IntPtr.Zero;

    /// <summary>Loads the shim now (idempotent); throws <see cref="TorchNativeLoadException"/> on failure.</summary>
    internal static void EnsureLoaded() => _ = s_handle.Value;

    internal static IReadOnlyList<string> CandidatePaths()
    {
        var paths = new List<string>();
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
            paths.Add(Directory.Exists(env) ? Path.Combine(env, FileName) : env);

        var assemblyDir = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location);
        foreach (var dir in new[] { AppContext.BaseDirectory, assemblyDir })
        {
            if (string.IsNullOrEmpty(dir)) continue;
            paths.Add(Path.Combine(dir, FileName));
            paths.Add(Path.Combine(dir, "runtimes", "linux-x64", "native", FileName));
        }

        var buildDir = typeof(NativeLibraryLoader).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LrnnNativeBuildDir")?.Value;
        if (!string.IsNullOrEmpty(buildDir)) paths.Add(Path.Combine(buildDir, FileName));
        return paths.Distinct().ToList();
    }

    private static IntPtr LoadOrThrow()
    {
        var attempts = new List<string>();
        foreach (var path in CandidatePaths())
        {
            if (!File.Exists(path))
            {
                attempts.Add($"{path}: not found");
                continue;
            }
            try
            {
                var handle = NativeLibrary.Load(path);
                LoadedPath = path;
                CheckAbi(handle, path);
                SetIntraOpThreads(handle);
                TuneCpuAllocator(handle);
                return handle;
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                // The message carries dlerror(): typically a missing libtorch_cpu.so / libcudart.so.
                attempts.Add($"{path}: {e.Message}");
            }
        }
        throw new TorchNativeLoadException(
            "Could not load the Lrnn libtorch shim (" + FileName + "). Build it with `dotnet build` " +
            "(needs libtorch: run scripts/setup.sh), or set " + EnvironmentVariable + " to its path. Tried:" +
            Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", attempts));
    }

    // Before anything else runs in libtorch: see IntraOpThreads (a bad LRNN_NUM_THREADS fails the load, by name).
    private static unsafe void SetIntraOpThreads(IntPtr handle)
    {
        int threads;
        try
        {
            threads = IntraOpThreads.Default();
        }
        catch (ArgumentException e)
        {
            throw new TorchNativeLoadException(e.Message);
        }
        var set = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(handle, "lrnn_set_num_threads");
        if (set(threads) != 0)
            throw new TorchNativeLoadException($"libtorch refused {threads} intra-op threads ({IntraOpThreads.EnvironmentVariable}).");
    }

    internal const string AllocatorTuningVariable = "LRNN_MALLOC_TUNING";

    /// <summary>Whether the loader kept freed CPU tensor memory in the heap (glibc; see cpu_allocator.cpp).</summary>
    internal static bool CpuAllocatorTuned { get; private set; }

    // glibc's malloc keeps freed tensor memory instead of unmapping it, which re-faulting every training step costs
    // (cpu_allocator.cpp has the measurements); LRNN_MALLOC_TUNING=0 leaves glibc's defaults.
    private static unsafe void TuneCpuAllocator(IntPtr handle)
    {
        if (Environment.GetEnvironmentVariable(AllocatorTuningVariable) == "0") return;
        var tune = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "lrnn_tune_cpu_allocator");
        CpuAllocatorTuned = tune() == 1;
    }

    private static unsafe void CheckAbi(IntPtr handle, string path)
    {
        var fn = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "lrnn_abi_version");
        var abi = fn();
        if (abi != NativeMethods.ExpectedAbiVersion)
            throw new TorchNativeLoadException(
                $"{path} has ABI version {abi} but this Lrnn.Torch expects {NativeMethods.ExpectedAbiVersion}: rebuild the shim.");
    }
}
