namespace Lrnn.Ops.Native;

/// <summary>
/// The switch of the shim's hand-written CPU scan kernels (linear_scan and selective_scan on CPU tensors): on unless
/// <c>LRNN_CPU_KERNELS=0</c> was in the environment at first use. Off, those ops run their ATen versions, the
/// reference the tests compare the kernels with. Process-wide: a scan running on another thread meanwhile takes
/// either path, both computing the same function.
/// </summary>
internal static class CpuKernels
{
    internal static bool Enabled
    {
        get => OpsNativeMethods.lrnn_cpu_kernels_enabled() == 1;
        set => OpsNativeMethods.lrnn_cpu_kernels_set_enabled(value ? 1 : 0);
    }
}
