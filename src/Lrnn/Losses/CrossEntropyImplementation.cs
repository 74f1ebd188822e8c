using Lrnn.Torch;

namespace Lrnn.Losses;

/// <summary>
/// One way of computing the per-token cross-entropy of a head's logits: the three implementations compute the same
/// function (and gradients) and differ only in what they hold in memory.
/// </summary>
public abstract class CrossEntropyImplementation
{
    /// <summary>The name in <see cref="LossConfig.Implementation"/>.</summary>
    public abstract string Name { get; }

    /// <summary>True when the (N, V) logits exist anyway, so the head can return them with the loss.</summary>
    public abstract bool MaterialisesLogits { get; }

    /// <summary>
    /// hidden (N, H) after the head's norm, labels (N) → per-token losses of <paramref name="head"/>'s logits. <paramref name="logits"/> receives the
    /// (N, V) logits when <see cref="MaterialisesLogits"/> (the caller owns them), else null.
    /// </summary>
    public abstract TokenLosses Compute(IVocabularyProjection head, Tensor hidden, Tensor labels, long ignoreIndex, double labelSmoothing,
        out Tensor? logits);

    /// <summary>
    /// Per-token losses from materialised logits (N, V) in float32 (float64 stays float64): the reference path that the
    /// default and chunked implementations share.
    /// </summary>
    protected static TokenLosses FromLogits(Tensor logits, Tensor labels, long ignoreIndex, double labelSmoothing)
    {
        using var scope = torch.NewDisposeScope();
        var wide = logits.dtype == ScalarType.Float64 ? logits : logits.to(ScalarType.Float32);
        // One log-sum-exp serves the CE and the z-loss (cross_entropy would compute its own, through an (N, V)
        // log-softmax): nll = lse − logit[label]; label smoothing ε as PyTorch: (1−ε)·nll + ε·(lse − mean logit).
        var valid = labels.ne(ignoreIndex);
        var lseAll = wide.logsumexp(1);                                                 // (N)
        var safeLabels = labels.masked_fill(valid.logical_not(), 0L);                   // ignored ids → any valid index
        var picked = wide.gather(1, safeLabels.unsqueeze(1)).squeeze(1);                // (N)
        var nllAll = lseAll - picked;
        if (labelSmoothing > 0) nllAll = nllAll * (1 - labelSmoothing) + (lseAll - wide.mean(1)) * labelSmoothing;
        var nll = torch.where(valid, nllAll, 0.0);                                      // (N), 0 at ignored tokens
        var lse = torch.where(valid, lseAll, 0.0);                                      // (N)
        return new TokenLosses(nll.MoveToOuterDisposeScope(), lse.MoveToOuterDisposeScope());
    }
}
