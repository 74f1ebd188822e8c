using Lrnn.Torch;

namespace Lrnn.Modules.Ltv;

/// <summary>
/// Right-padded batches for the scan mixers: positions t ≥ lengths[b] must leave the state untouched, so that the
/// final state (handed to a cache) is the one after each sequence's own last token and each sequence's outputs equal
/// those of running it alone. The mixers turn those positions into identity updates (decay 1, input 0), under the mask
/// of <see cref="LengthMask.Valid"/> (lengths count whole sequences, as for the LTI mixers).
/// </summary>
internal static class SequenceMask
{
    /// <summary>The valid part of a decay: t &lt; lengths[b] keeps <paramref name="decay"/>, padding becomes 1. valid (B, L, 1…) broadcasts.</summary>
    public static Tensor KeepDecay(Tensor decay, Tensor valid) => torch.where(valid, decay, 1.0);

    /// <summary>The valid part of an input: padding becomes 0.</summary>
    public static Tensor KeepInput(Tensor input, Tensor valid) => torch.where(valid, input, 0.0);
}
