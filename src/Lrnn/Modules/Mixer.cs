using Lrnn.Inference;
using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Modules;

/// <summary>
/// A sequence mixer: the token-mixing layer of a <see cref="Block"/>. It has three paths that must compute the
/// same function: the full-sequence <see cref="Forward"/> (parallel over L, used for training and, with a cache
/// in the context, for prefilling a prompt in one call), and the recurrent <see cref="Step"/> over a cache made by
/// <see cref="AllocateCache"/>. A new mixer is one subclass plus one <see cref="MixerRegistry.Register"/> line.
/// </summary>
public abstract class Mixer : Module
{
    /// <summary>
    /// x (B, L, D) → (B, L, D). When <paramref name="context"/> carries a cache, the cache is continued from its
    /// current position (a fresh cache: from the start) and left holding the state after the last token, so that
    /// <see cref="Step"/> can continue from there.
    /// </summary>
    public abstract Tensor Forward(Tensor x, MixerContext context);

    /// <summary>A cache for <paramref name="batch"/> sequences of at most <paramref name="maxSeqLen"/> tokens.</summary>
    public abstract MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device);

    /// <summary>One token: x (B, 1, D) or (B, D) → the same shape; advances <paramref name="cache"/> by one token.</summary>
    public Tensor Step(Tensor x, MixerCache cache)
    {
        var rank = x.dim();
        if (rank is not (2 or 3) || (rank == 3 && x.size(1) != 1))
            throw new ArgumentException($"Step takes one token per sequence, x of shape (B, 1, D) or (B, D); got [{string.Join(", ", x.shape)}]", nameof(x));
        cache.EnsureRoom(1);
        if (rank == 2) return StepToken(x, cache);
        using var token = x.squeeze(1);
        using var y = StepToken(token, cache);
        return y.unsqueeze(1);
    }

    /// <summary>x (B, D) → (B, D); advances the cache by one token.</summary>
    protected abstract Tensor StepToken(Tensor x, MixerCache cache);

    /// <summary>
    /// Keys (relative to the mixer) that a checkpoint of another library may hold for this mixer although this
    /// configuration does not use them (Mamba's dtA_proj without event mode); loading accepts and ignores them.
    /// </summary>
    public virtual IReadOnlyList<string> UnusedCheckpointKeys => [];

    /// <summary>The cache as the concrete type this mixer allocates, with a clear error for a foreign one.</summary>
    protected static TCache CacheAs<TCache>(MixerCache cache) where TCache : MixerCache =>
        cache as TCache ?? throw new ArgumentException($"expected a {typeof(TCache).Name}, got a {cache.GetType().Name}: " +
                                                       "use the cache allocated by this mixer");
}
