using System.Runtime.InteropServices.Marshalling;

namespace Lrnn.Torch.Native;

/// <summary>
/// Passes a <see cref="TensorHandle"/> argument as its raw pointer, without the built-in SafeHandle
/// marshaller's DangerousAddRef/DangerousRelease (four interlocked operations per binary op, ~50–70 ns, most
/// of the per-argument cost: docs/benchmarks.md). The handle is kept reachable until the native call has
/// returned (<see cref="In.OnInvoked"/>), so the GC cannot finalize it mid-call; and a finalized handle is
/// only ever freed later on a user thread anyway (<see cref="TensorHandle"/>).
/// What this gives up: disposing a tensor on one thread while another thread is inside a native call on it
/// frees it under that call. Tensors are not thread-safe objects (nor are they in PyTorch); use each one
/// from one thread at a time.
/// </summary>
[CustomMarshaller(typeof(TensorHandle), MarshalMode.ManagedToUnmanagedIn, typeof(In))]
internal static class TensorHandleMarshaller
{
    public struct In
    {
        private TensorHandle? _handle;

        public void FromManaged(TensorHandle handle) => _handle = handle;

        public readonly IntPtr ToUnmanaged() => _handle!.DangerousGetHandle();

        public readonly void OnInvoked() => GC.KeepAlive(_handle);

        public readonly void Free() { }
    }
}
