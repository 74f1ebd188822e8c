using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Gradient mode.
public static partial class torch
{
    public static bool is_grad_enabled() => NativeMethods.lrnn_grad_enabled() == 1;

    public static void set_grad_enabled(bool enabled) => NativeErrors.Check(NativeMethods.lrnn_set_grad_enabled(enabled ? 1 : 0));

    /// <summary><c>using (torch.no_grad()) { ... }</c>: no graph is recorded in the block (this thread).</summary>
    public static GradModeGuard no_grad() => new(false);

    /// <summary>Re-enables gradient recording inside a no_grad block.</summary>
    public static GradModeGuard enable_grad() => new(true);
}

/// <summary>Sets the thread's gradient mode and restores the previous one on dispose.</summary>
public readonly struct GradModeGuard : IDisposable
{
    private readonly bool _previous;

    internal GradModeGuard(bool enabled)
    {
        _previous = torch.is_grad_enabled();
        torch.set_grad_enabled(enabled);
    }

    public void Dispose() => torch.set_grad_enabled(_previous);
}
