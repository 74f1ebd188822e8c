namespace Lrnn.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost open scope, and disposes them when it
/// is disposed. Open one per training step or per request:
/// <code>
/// using (var scope = torch.NewDisposeScope())
/// {
///     var loss = model.Forward(x).mean();
///     loss.backward();
///     return scope.MoveToOuter(loss.detach());   // the one way out
/// }
/// </code>
/// Scopes are bound to the thread that opened them and must be disposed in reverse order of opening.
/// Module parameters and buffers are never owned by a scope.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? t_current;

    private readonly List<Tensor> _owned = new();
    private readonly int _threadId;
    private bool _disposed;

    internal DisposeScope()
    {
        Outer = t_current;
        _threadId = Environment.CurrentManagedThreadId;
        t_current = this;
    }

    /// <summary>The innermost open scope of this thread, or null.</summary>
    public static DisposeScope? Current => t_current;

    /// <summary>The scope that was current when this one opened (null for an outermost scope).</summary>
    public DisposeScope? Outer { get; }

    /// <summary>Tensors currently owned by this scope.</summary>
    public int Count => _owned.Count(t => ReferenceEquals(t.OwningScope, this) && !t.IsDisposed);

    internal void Register(Tensor t) => _owned.Add(t);

    /// <summary>Moves <paramref name="tensor"/> to the enclosing scope (or to no scope) and returns it.</summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!ReferenceEquals(tensor.OwningScope, this))
            throw new InvalidOperationException("The tensor is not owned by this dispose scope.");
        tensor.OwningScope = Outer;
        Outer?.Register(tensor);
        return tensor;
    }

    /// <summary>Moves several tensors out; see <see cref="MoveToOuter(Tensor)"/>.</summary>
    public void MoveToOuter(params Tensor[] tensors)
    {
        foreach (var t in tensors) MoveToOuter(t);
    }

    /// <summary>Removes <paramref name="tensor"/> from every scope: the caller now disposes it.</summary>
    public Tensor Detach(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (ReferenceEquals(tensor.OwningScope, this)) tensor.OwningScope = null;
        return tensor;
    }

    public void Dispose()
    {
        if (_disposed) return;
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("A dispose scope must be disposed on the thread that opened it.");
        if (!ReferenceEquals(t_current, this))
            throw new InvalidOperationException("Dispose scopes must be disposed in reverse order of opening.");
        _disposed = true;
        t_current = Outer;
        foreach (var t in _owned)
            if (ReferenceEquals(t.OwningScope, this)) t.Dispose();
        _owned.Clear();
        Native.TensorHandle.DrainPendingFrees();
    }
}
