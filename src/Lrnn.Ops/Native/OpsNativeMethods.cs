using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lrnn.Torch.Native;

namespace Lrnn.Ops.Native;

/// <summary>
/// P/Invoke declarations of the model-specific exports of the shim (linear_scan.cpp, selective_scan.cpp,
/// fused_linear_cross_entropy.cpp, fft_causal_conv.cpp, modes_to_time.cpp, kernels.cpp). The shim is one library:
/// these exports share its tensor handles, error record and CUDA launch glue with the generic ones, so splitting it
/// would only duplicate that glue; the split is in C#, where the generic binding no longer knows these ops.
/// </summary>
internal static unsafe partial class OpsNativeMethods
{
    private const string Lib = NativeLibraryLoader.LibraryName;

    // The shim is resolved per calling assembly: this one resolves it through Lrnn.Torch's loader, so both use the same
    // loaded file (LRNN_NATIVE, next to the application, then the CMake build folder).
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibraryLoader.RegisterFor(typeof(OpsNativeMethods).Assembly);

    [LibraryImport(Lib)]
    internal static partial int lrnn_linear_scan(TensorHandle a, TensorHandle b, TensorHandle h0, long dim, out IntPtr h, out IntPtr hLast);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int lrnn_selective_scan(TensorHandle u, TensorHandle delta, TensorHandle A, TensorHandle B, TensorHandle C,
        TensorHandle D, TensorHandle z, TensorHandle deltaBias, int deltaSoftplus, TensorHandle h0, string discretization,
        TensorHandle deltaA, long chunk, out IntPtr y, out IntPtr hLast);

    [LibraryImport(Lib)]
    internal static partial int lrnn_fused_linear_cross_entropy(TensorHandle x, IntPtr* weights, long nWeights, TensorHandle bias,
        TensorHandle scale, TensorHandle labels, long ignoreIndex, double labelSmoothing, double softcap, long chunkSize,
        out IntPtr ce, out IntPtr lse);

    [LibraryImport(Lib)] internal static partial IntPtr lrnn_fft_causal_conv(TensorHandle u, TensorHandle k, int gelus);

    [LibraryImport(Lib)]
    internal static partial IntPtr lrnn_real_modes_to_time_kernel(TensorHandle weights, TensorHandle logLambda, long length, TensorHandle atZero);

    [LibraryImport(Lib)] internal static partial int lrnn_cuda_kernels_enabled();
    [LibraryImport(Lib)] internal static partial int lrnn_cpu_kernels_enabled();
    [LibraryImport(Lib)] internal static partial int lrnn_cpu_kernels_set_enabled(int on);
}
