using Lrnn.Torch;

namespace Lrnn.Modules.Ltv;

/// <summary>
/// Right-padded batches for the scan mixers: positions t ≥ lengths[b] must leave the state untouched, so that the
/// final state (handed to a cache) is the one after each sequence's own last token and each sequence's outputs equal
/// those of running it alone. The mixers turn those positions into identity updates (decay 1, input 0).
/// </summary>
internal static class SequenceMask
{
    /// <summary>lengths (B) int64 → (B, L) bool, true where t &lt; lengths[b]. Throws for a wrong shape or range.</summary>
    public static Tensor Valid(Tensor lengths, long batch, long length, Device device)
    {
        if (lengths.dim() != 1 || lengths.size(0) != batch)
            throw new ArgumentException($"lengths must have shape ({batch}), one length per sequence; got [{string.Join(", ", lengths.shape)}]", nameof(lengths));
        using var scope = torch.NewDisposeScope();
        var l = lengths.to(ScalarType.Int64, device);
        if (l.min().item<long>() < 1 || l.max().item<long>() > length)
            throw new ArgumentException($"lengths must lie in [1, {length}] (the padded length)", nameof(lengths));
        return torch.arange(length, ScalarType.Int64, device).unsqueeze(0).lt(l.unsqueeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>The valid part of a decay: t &lt; lengths[b] keeps <paramref name="decay"/>, padding becomes 1. valid (B, L, 1…) broadcasts.</summary>
    public static Tensor KeepDecay(Tensor decay, Tensor valid) => torch.where(valid, decay, 1.0);

    /// <summary>The valid part of an input: padding becomes 0.</summary>
    public static Tensor KeepInput(Tensor input, Tensor valid) => torch.where(valid, input, 0.0);
}
