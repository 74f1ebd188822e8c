using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Gradient mode, inference mode and functional gradients.
public static partial class torch
{
    public static bool is_grad_enabled() => NativeMethods.lrnn_grad_enabled() == 1;

    public static void set_grad_enabled(bool enabled) => NativeErrors.Check(NativeMethods.lrnn_set_grad_enabled(enabled ? 1 : 0));

    /// <summary><c>using (torch.no_grad()) { ... }</c>: no graph is recorded in the block (this thread).</summary>
    public static GradModeGuard no_grad() => new(false);

    /// <summary>Re-enables gradient recording inside a no_grad block.</summary>
    public static GradModeGuard enable_grad() => new(true);

    /// <summary>
    /// <c>using (torch.inference_mode()) { ... }</c>: like <see cref="no_grad"/> but also skips version
    /// counting and view tracking, so it is faster; tensors created inside are inference tensors that can
    /// never be used in autograd later. <paramref name="mode"/> false switches it off inside an enclosing block.
    /// </summary>
    public static InferenceModeGuard inference_mode(bool mode = true) => new(mode);

    public static bool is_inference_mode_enabled() => NativeMethods.lrnn_inference_mode_enabled() == 1;

    public static class autograd
    {
        /// <summary>
        /// The gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>, without
        /// touching any <c>.grad</c>. <paramref name="grad_outputs"/> weights each output (null for a scalar
        /// output). <paramref name="retain_graph"/> defaults to <paramref name="create_graph"/>; with
        /// <paramref name="create_graph"/> the results are differentiable (higher-order gradients). With
        /// <paramref name="allow_unused"/> an input the outputs do not depend on gets null instead of an error.
        /// </summary>
        public static unsafe Tensor?[] grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
            IReadOnlyList<Tensor?>? grad_outputs = null, bool? retain_graph = null, bool create_graph = false,
            bool allow_unused = false)
        {
            ArgumentNullException.ThrowIfNull(outputs);
            ArgumentNullException.ThrowIfNull(inputs);
            if (grad_outputs is not null && grad_outputs.Count != outputs.Count)
                throw new ArgumentException($"grad_outputs has {grad_outputs.Count} entries but there are {outputs.Count} outputs.", nameof(grad_outputs));
            using var outs = new TensorHandleArray(outputs);
            using var ins = new TensorHandleArray(inputs);
            using var weights = new TensorHandleArray(grad_outputs ?? Array.Empty<Tensor?>());
            var results = new IntPtr[inputs.Count];
            long count;
            fixed (IntPtr* o = outs.Pointers, i = ins.Pointers, w = weights.Pointers, r = results)
                count = NativeMethods.lrnn_autograd_grad(o, outs.Length, i, ins.Length, grad_outputs is null ? null : w,
                    retain_graph is null ? -1 : retain_graph.Value ? 1 : 0, create_graph ? 1 : 0, allow_unused ? 1 : 0,
                    r, results.Length);
            if (count < 0) throw NativeErrors.Last();
            return results.Select(p => p == IntPtr.Zero ? null : Tensor.FromNative(p)).ToArray();
        }

        /// <summary>The gradient of one output with respect to one input.</summary>
        public static Tensor grad(Tensor output, Tensor input, Tensor? grad_output = null, bool? retain_graph = null,
            bool create_graph = false) =>
            grad(new[] { output }, new[] { input }, new[] { grad_output }, retain_graph, create_graph)[0]!;
    }
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

/// <summary>
/// Holds a native c10::InferenceMode guard: the thread's inference mode, restored on dispose. Guards must be
/// disposed on the thread that created them, innermost first. An undisposed guard is never freed by the
/// finalizer (that would restore the state on the wrong thread).
/// </summary>
public sealed class InferenceModeGuard : IDisposable
{
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private IntPtr _guard;

    internal InferenceModeGuard(bool enabled)
    {
        _guard = NativeMethods.lrnn_inference_mode_enter(enabled ? 1 : 0);
        if (_guard == IntPtr.Zero) throw NativeErrors.Last();
    }

    public void Dispose()
    {
        if (_guard == IntPtr.Zero) return;
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("An inference_mode guard must be disposed on the thread that created it.");
        NativeMethods.lrnn_inference_mode_exit(_guard);
        _guard = IntPtr.Zero;
    }
}
