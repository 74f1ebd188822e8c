using Lrnn.Torch;

namespace Lrnn.Modules.Lti;

/// <summary>
/// The last convolution kernel an LTI block generated without gradients, with what it was made from, so that
/// inference over unchanged weights (serving, evaluation, repeated prefills) does not regenerate it: at S4D's
/// benchmark size generation is about 15 small launches and a third of the forward's host time, and S4's Cauchy
/// kernel costs more than its convolution.
/// <para>
/// A kernel is reused only while every source tensor is the same storage at the same version: any in-place write
/// (an optimizer step, <c>copy_</c> from a checkpoint, <c>fill_</c>) bumps the version, and <c>set_data</c> or a move to
/// another device or dtype replaces the storage. The cache keeps a <c>detach()</c> of each source, which shares its
/// storage and version counter, so a storage cannot be freed and its address reused while it is the key.
/// </para>
/// <para>
/// Lookups and stores take a lock, so concurrent inference forwards on one block never see a kernel being replaced: a
/// lookup returns its own handle, which stays valid after the cache drops its one.
/// </para>
/// </summary>
internal sealed class ConvolutionKernelCache : IDisposable
{
    private readonly Lock _lock = new();
    private (Tensor View, long Version)[] _sources = [];
    private Tensor? _kernel;
    private long _length;
    private ScalarType _type;

    /// <summary>The cached kernel for these sources, length and compute type, as a new handle in the current dispose scope; or null.</summary>
    public Tensor? Lookup(IReadOnlyList<Tensor> sources, long length, ScalarType type)
    {
        lock (_lock) return LookupLocked(sources, length, type);
    }

    private Tensor? LookupLocked(IReadOnlyList<Tensor> sources, long length, ScalarType type)
    {
        if (_kernel is null || length != _length || type != _type || sources.Count != _sources.Length) return null;
        for (var i = 0; i < sources.Count; ++i)
        {
            var (view, version) = _sources[i];
            if (!sources[i].is_alias_of(view) || sources[i]._version != version) return null;
        }
        return _kernel.alias();
    }

    /// <summary>Replaces the cached kernel by <paramref name="kernel"/> (no graph: generated without gradients).</summary>
    public void Store(IReadOnlyList<Tensor> sources, long length, ScalarType type, Tensor kernel)
    {
        lock (_lock)
        {
            ClearLocked();
            _sources = sources.Select(s => (s.detach().DetachFromDisposeScope(), s._version)).ToArray();
            _kernel = kernel.detach().DetachFromDisposeScope();
            (_length, _type) = (length, type);
        }
    }

    /// <summary>Frees the cached kernel and the references to its sources' storage.</summary>
    public void Clear()
    {
        lock (_lock) ClearLocked();
    }

    private void ClearLocked()
    {
        if (_kernel is null && _sources.Length == 0) return;
        foreach (var (view, _) in _sources) view.Dispose();
        _sources = [];
        _kernel?.Dispose();
        _kernel = null;
    }

    /// <summary>Whether a kernel is held (for tests).</summary>
    internal bool IsEmpty
    {
        get
        {
            lock (_lock) return _kernel is null;
        }
    }

    public void Dispose() => Clear();
}
