using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

/// <summary>
/// A native object owned by exactly one handle and freed by one shim export (<see cref="Free"/>): the shape shared by
/// the generator, optimizer and profiler-result handles. Tensors differ (their frees are deferred off the finalizer
/// thread, see <see cref="TensorHandle"/>).
/// </summary>
internal abstract class OwnedHandle : SafeHandle
{
    protected OwnedHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    protected OwnedHandle(IntPtr handle) : this() => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The shim's free of this kind of object.</summary>
    protected abstract void Free(IntPtr native);

    protected override bool ReleaseHandle()
    {
        Free(handle);
        return true;
    }
}
