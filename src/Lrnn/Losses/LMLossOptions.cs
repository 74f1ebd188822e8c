using Lrnn.Torch;

namespace Lrnn.Losses;

/// <summary>The per-call options of a head's loss (OLMo-core's LMHead.forward keywords).</summary>
public sealed record LMLossOptions
{
    public LossReduction Reduction { get; init; } = LossReduction.Mean;

    /// <summary>The loss (and its logged parts) is divided by this after the reduction; null: 1.</summary>
    public double? LossDivFactor { get; init; }

    /// <summary>Also return the logits; not possible with the fused_linear loss, which never holds them.</summary>
    public bool ReturnLogits { get; init; }

    /// <summary>&gt; 0: only the last K positions are projected and scored (0: all).</summary>
    public long LogitsToKeep { get; init; }

    /// <summary>Int64 (B, K): the positions of each sequence to project and score (overrides <see cref="LogitsToKeep"/>).</summary>
    public Tensor? PositionsToKeep { get; init; }

    public static LMLossOptions Default { get; } = new();
}
