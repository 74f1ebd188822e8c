using System.Runtime.InteropServices;
using Lrnn.Torch.Native;

namespace Lrnn.Torch;

/// <summary>
/// The entry point, named as in PyTorch/TorchSharp: <c>torch.zeros(2, 3)</c>, <c>torch.no_grad()</c>,
/// <c>torch.NewDisposeScope()</c>. Partial files torch.*.cs group the functions by area.
/// </summary>
public static partial class torch
{
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType int8 = ScalarType.Int8;
    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType int16 = ScalarType.Int16;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType @bool = ScalarType.Bool;
    public const ScalarType complex64 = ScalarType.ComplexFloat32;
    public const ScalarType complex128 = ScalarType.ComplexFloat64;

    /// <summary>Opens a dispose scope on this thread; see <see cref="DisposeScope"/>.</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Native tensors currently alive (created and not yet freed), across all threads.</summary>
    public static long LiveTensorCount
    {
        get
        {
            TensorHandle.DrainPendingFrees();
            return NativeMethods.lrnn_live_tensor_count();
        }
    }

    /// <summary>Tensors that reached the finalizer without being disposed (a leak in the caller's code).</summary>
    public static long FinalizedTensorCount => TensorHandle.FinalizedCount;

    /// <summary>Frees native tensors whose managed owners were collected without being disposed.</summary>
    public static void CollectPendingFrees() => TensorHandle.DrainPendingFrees();

    /// <summary>What the shim was built against and what it can use here.</summary>
    public static TorchInfo Info
    {
        get
        {
            NativeLibraryLoader.EnsureLoaded();
            return new TorchInfo(
                $"{NativeMethods.lrnn_torch_version_major()}.{NativeMethods.lrnn_torch_version_minor()}.{NativeMethods.lrnn_torch_version_patch()}",
                Marshal.PtrToStringUTF8(NativeMethods.lrnn_torch_source()) ?? "",
                NativeMethods.lrnn_built_with_cuda() == 1,
                cuda.is_available(),
                cuda.is_available() ? cuda.device_count() : 0,
                NativeLibraryLoader.LoadedPath ?? "",
                BlasLibrary.Describe(),
                get_num_threads());
        }
    }

    public static void set_num_threads(int n) => NativeErrors.Check(NativeMethods.lrnn_set_num_threads(n));
    public static int get_num_threads() => NativeMethods.lrnn_get_num_threads();
}

/// <summary>The result of <see cref="torch.Info"/>.</summary>
/// <param name="LibtorchVersion">libtorch version the shim was compiled against (e.g. 1.13.0).</param>
/// <param name="LibtorchSource">where the build found libtorch (environment, Python package, system).</param>
/// <param name="BuiltWithCuda">whether the shim links libtorch_cuda.</param>
/// <param name="CudaAvailable">whether a CUDA device is usable now.</param>
/// <param name="CudaDeviceCount">number of CUDA devices.</param>
/// <param name="NativeLibraryPath">the shim file that was loaded.</param>
/// <param name="Blas">the BLAS libtorch's CPU matrix products run on: OpenBLAS, MKL, BLIS or the slow reference BLAS,
/// with the library file this process mapped (or libtorch's BLAS_INFO when it is built in).</param>
/// <param name="IntraOpThreads">libtorch's intra-op thread count on this thread: the physical cores by default,
/// <c>LRNN_NUM_THREADS</c> or <see cref="torch.set_num_threads"/> otherwise.</param>
public sealed record TorchInfo(string LibtorchVersion, string LibtorchSource, bool BuiltWithCuda, bool CudaAvailable,
    int CudaDeviceCount, string NativeLibraryPath, string Blas, int IntraOpThreads)
{
    public override string ToString() =>
        $"libtorch {LibtorchVersion} ({LibtorchSource}); CUDA built: {BuiltWithCuda}, available: {CudaAvailable} ({CudaDeviceCount} devices); " +
        $"BLAS: {Blas}; intra-op threads: {IntraOpThreads}; shim: {NativeLibraryPath}";
}
