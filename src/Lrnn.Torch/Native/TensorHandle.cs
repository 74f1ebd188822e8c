using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

/// <summary>
/// Owns one native <c>at::Tensor*</c>. Freed on the disposing thread by <see cref="Tensor.Dispose"/> or a
/// dispose scope. If a tensor is only reached by the finalizer, the pointer is <em>not</em> freed on the
/// finalizer thread (TorchSharp #315, #1047: frees racing with live work); it is queued and freed by the next
/// tensor operation on an ordinary thread, and counted in <see cref="FinalizedCount"/> so leaks are visible.
/// </summary>
[System.Runtime.InteropServices.Marshalling.NativeMarshalling(typeof(TensorHandleMarshaller))]
internal sealed class TensorHandle : SafeHandle
{
    private static readonly ConcurrentQueue<IntPtr> s_pendingFrees = new();
    private static int s_pendingCount;
    private static long s_finalizedCount;
    private bool _disposing;

    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Passes "no tensor" (nullptr) to an optional tensor argument. Never disposed.</summary>
    internal static readonly TensorHandle Null = new();

    /// <summary>Tensors that were collected without being disposed since the process started.</summary>
    internal static long FinalizedCount => Interlocked.Read(ref s_finalizedCount);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _disposing = true;
        base.Dispose(disposing);
    }

    protected override bool ReleaseHandle()
    {
        if (_disposing)
        {
            NativeMethods.lrnn_tensor_free(handle);
        }
        else
        {
            // Finalizer thread: defer the free to a user thread.
            s_pendingFrees.Enqueue(handle);
            Interlocked.Increment(ref s_pendingCount);
            Interlocked.Increment(ref s_finalizedCount);
        }
        return true;
    }

    /// <summary>Frees tensors queued by the finalizer. Cheap when the queue is empty.</summary>
    internal static void DrainPendingFrees()
    {
        if (Volatile.Read(ref s_pendingCount) == 0) return;
        while (s_pendingFrees.TryDequeue(out var ptr))
        {
            Interlocked.Decrement(ref s_pendingCount);
            NativeMethods.lrnn_tensor_free(ptr);
        }
    }
}
