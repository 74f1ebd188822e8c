using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

/// <summary>
/// Owns one native <c>at::Generator*</c>: a reference on a generator implementation, which for the default
/// generators is shared with libtorch's global one (freeing the handle never frees the global generator).
/// </summary>
internal sealed class GeneratorHandle : SafeHandle
{
    public GeneratorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal GeneratorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Passes "the default generator" (nullptr) to an optional generator argument. Never disposed.</summary>
    internal static readonly GeneratorHandle Null = new();

    protected override bool ReleaseHandle()
    {
        NativeMethods.lrnn_generator_free(handle);
        return true;
    }
}
