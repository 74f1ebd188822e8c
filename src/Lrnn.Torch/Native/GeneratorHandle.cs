namespace Lrnn.Torch.Native;

/// <summary>
/// Owns one native <c>at::Generator*</c>: a reference on a generator implementation, which for the default
/// generators is shared with libtorch's global one (freeing the handle never frees the global generator).
/// </summary>
internal sealed class GeneratorHandle : OwnedHandle
{
    public GeneratorHandle() { }

    internal GeneratorHandle(IntPtr handle) : base(handle) { }

    /// <summary>Passes "the default generator" (nullptr) to an optional generator argument. Never disposed.</summary>
    internal static readonly GeneratorHandle Null = new();

    protected override void Free(IntPtr native) => NativeMethods.lrnn_generator_free(native);
}
