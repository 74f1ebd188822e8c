namespace Lrnn.Torch.Native;

/// <summary>
/// Owns one native <c>torch::optim::Optimizer*</c> (its options and per-parameter state). Unlike tensors, an
/// optimizer reached only by the finalizer is freed there: it is never shared with running native work, and
/// freeing its state tensors from any thread is safe in libtorch.
/// </summary>
internal sealed class OptimizerHandle : OwnedHandle
{
    public OptimizerHandle() { }

    internal OptimizerHandle(IntPtr handle) : base(handle) { }

    protected override void Free(IntPtr native) => NativeMethods.lrnn_optimizer_free(native);
}
