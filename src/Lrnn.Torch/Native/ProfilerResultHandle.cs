using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

/// <summary>Owns one native <c>torch::autograd::profiler::ProfilerResult*</c>: what a profiler session recorded.</summary>
internal sealed class ProfilerResultHandle : SafeHandle
{
    public ProfilerResultHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.lrnn_profiler_result_free(handle);
        return true;
    }
}
