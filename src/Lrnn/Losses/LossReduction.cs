namespace Lrnn.Losses;

/// <summary>How the per-token losses become the returned loss (OLMo-core's loss_reduction).</summary>
public enum LossReduction
{
    /// <summary>Sum over valid tokens divided by their count (0 when there is none, never NaN).</summary>
    Mean,
    /// <summary>Sum over valid tokens: with <see cref="LMLossOptions.LossDivFactor"/> = the token count of the whole
    /// batch, micro-batch gradients add up to the full batch's mean.</summary>
    Sum,
    /// <summary>Per token, shaped like the labels (B, L), 0 at ignored tokens.</summary>
    None,
}
