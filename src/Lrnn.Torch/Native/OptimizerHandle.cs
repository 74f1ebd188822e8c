using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

/// <summary>
/// Owns one native <c>torch::optim::Optimizer*</c> (its options and per-parameter state). Unlike tensors, an
/// optimizer reached only by the finalizer is freed there: it is never shared with running native work, and
/// freeing its state tensors from any thread is safe in libtorch.
/// </summary>
internal sealed class OptimizerHandle : SafeHandle
{
    public OptimizerHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal OptimizerHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.lrnn_optimizer_free(handle);
        return true;
    }
}
