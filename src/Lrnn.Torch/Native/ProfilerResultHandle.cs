namespace Lrnn.Torch.Native;

/// <summary>Owns one native <c>torch::autograd::profiler::ProfilerResult*</c>: what a profiler session recorded.</summary>
internal sealed class ProfilerResultHandle : OwnedHandle
{
    protected override void Free(IntPtr native) => NativeMethods.lrnn_profiler_result_free(native);
}
