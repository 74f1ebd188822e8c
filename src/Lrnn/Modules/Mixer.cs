using Lrnn.Inference;
using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Modules;

/// <summary>
/// A sequence mixer: the token-mixing layer of a <see cref="Block"/>. It has three paths that must compute the
/// same function: the full-sequence <see cref="Forward"/> (parallel over L, used for training and, with a cache
/// in the context, for prefilling a prompt in one call), and the recurrent <see cref="Step"/> over a cache made by
/// <see cref="AllocateCache"/>. This class owns what every mixer would otherwise repeat: the shape checks, the room
/// check of the cache, a dispose scope around the mixer's maths (intermediates freed, the result moved out) and the
/// cache's token count, advanced once per call after the mixer ran. Derive from <see cref="Mixer{TCache}"/>; a new
/// mixer is one subclass plus one <see cref="MixerRegistry.Register"/> line.
/// </summary>
public abstract class Mixer : Module
{
    /// <summary>The feature size D of the input x (B, L, D).</summary>
    public abstract long DModel { get; }

    /// <summary>
    /// x (B, L, D) → (B, L, D). When <paramref name="context"/> carries a cache, the cache is continued from its
    /// current position (a fresh cache: from the start) and left holding the state after the last (valid) token, so
    /// that <see cref="Step"/> can continue from there.
    /// </summary>
    public Tensor Forward(Tensor x, MixerContext context)
    {
        if (x.dim() != 3 || x.size(2) != DModel)
            throw new ArgumentException($"{GetType().Name} expects x of shape (B, L, {DModel}); got [{string.Join(", ", x.shape)}]", nameof(x));
        var (batch, length) = (x.size(0), x.size(1));
        if (context.IntegrationTimesteps is { } ts && (ts.dim() != 2 || ts.size(0) != batch || ts.size(1) != length))
            throw new ArgumentException($"integration_timesteps must be (B, L) = ({batch}, {length}); got [{string.Join(", ", ts.shape)}]", nameof(context));
        context.Cache?.EnsureRoom(length);
        using var scope = torch.NewDisposeScope();
        var y = Mix(x, context);
        context.Cache?.Advance(length);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>A cache for <paramref name="batch"/> sequences of at most <paramref name="maxSeqLen"/> tokens.</summary>
    public abstract MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device);

    /// <summary>One token: x (B, 1, D) or (B, D) → the same shape; advances <paramref name="cache"/> by one token.</summary>
    public Tensor Step(Tensor x, MixerCache cache, StepContext? context = null)
    {
        var rank = x.dim();
        if (rank is not (2 or 3) || (rank == 3 && x.size(1) != 1) || x.size(-1) != DModel)
            throw new ArgumentException($"Step takes one token per sequence, x of shape (B, 1, {DModel}) or (B, {DModel}); got [{string.Join(", ", x.shape)}]", nameof(x));
        cache.EnsureRoom(1);
        using var scope = torch.NewDisposeScope();
        var y = MixToken(rank == 2 ? x : x.squeeze(1), cache, context ?? StepContext.None);
        cache.Advance(1);
        return (rank == 2 ? y : y.unsqueeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>The full-sequence maths, inside the caller's dispose scope; the cache is advanced after it returns.</summary>
    private protected abstract Tensor Mix(Tensor x, MixerContext context);

    /// <summary>One token's maths, x (B, D) → (B, D), inside the caller's dispose scope; the cache is advanced after it returns.</summary>
    private protected abstract Tensor MixToken(Tensor x, MixerCache cache, StepContext context);

    /// <summary>
    /// Keys (relative to the mixer) that a checkpoint of another library may hold for this mixer although this
    /// configuration does not use them (Mamba's dtA_proj without event mode); loading accepts and ignores them.
    /// </summary>
    public virtual IReadOnlyList<string> UnusedCheckpointKeys => [];
}

/// <summary>
/// A mixer whose cache is a <typeparamref name="TCache"/>: its <see cref="Forward(Tensor, MixerContext, TCache)"/> and
/// <see cref="StepToken"/> get the cache already typed (a foreign one is refused with a clear error), run inside a
/// dispose scope, and need not advance the cache: they read like the mixer's equations.
/// </summary>
public abstract class Mixer<TCache> : Mixer where TCache : MixerCache
{
    /// <summary>x (B, L, D) → (B, L, D); <paramref name="cache"/>: null, or the cache to continue and leave at the last token.</summary>
    protected abstract Tensor Forward(Tensor x, MixerContext context, TCache? cache);

    /// <summary>x (B, D) → (B, D), continuing <paramref name="cache"/>.</summary>
    protected abstract Tensor StepToken(Tensor x, TCache cache, StepContext context);

    private protected sealed override Tensor Mix(Tensor x, MixerContext context) =>
        Forward(x, context, context.Cache is null ? null : CacheAs(context.Cache));

    private protected sealed override Tensor MixToken(Tensor x, MixerCache cache, StepContext context) => StepToken(x, CacheAs(cache), context);

    private static TCache CacheAs(MixerCache cache) =>
        cache as TCache ?? throw new ArgumentException($"expected a {typeof(TCache).Name}, got a {cache.GetType().Name}: " +
                                                       "use the cache allocated by this mixer");
}
