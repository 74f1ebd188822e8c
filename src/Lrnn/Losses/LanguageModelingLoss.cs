using Lrnn.Torch;

namespace Lrnn.Losses;

/// <summary>
/// A composed LM loss (what <see cref="LossFunctions.Build"/> returns): a cross-entropy implementation plus the
/// z-loss, reduced over the valid tokens.
/// <para>
/// Per valid token n (label ≠ ignore_index): <c>ce_n = −log p(y_n)</c> and <c>z_n = m·lse_n²</c>; ignored tokens
/// contribute 0 to both. mean: <c>Σ(ce + z) / #valid</c> (0 when nothing is valid); sum: <c>Σ(ce + z)</c>; none: per
/// token. Then ÷ loss_div_factor. Unlike OLMo-core, the z-loss is masked to valid tokens for every reduction, and it
/// is off (not 1e-4) when no multiplier is given.
/// </para>
/// </summary>
public sealed class LanguageModelingLoss(CrossEntropyImplementation crossEntropy, double? zLossMultiplier, long ignoreIndex, double labelSmoothing)
{
    public CrossEntropyImplementation CrossEntropy { get; } = crossEntropy;
    public double? ZLossMultiplier { get; } = zLossMultiplier;
    public long IgnoreIndex { get; } = ignoreIndex;
    public double LabelSmoothing { get; } = labelSmoothing;

    /// <summary>
    /// hidden (B, K, H) after the head's norm, labels (B, K) int64 → the loss of <paramref name="head"/>'s logits.
    /// </summary>
    internal LMOutput Compute(IVocabularyProjection head, Tensor hidden, Tensor labels, LMLossOptions options)
    {
        if (options.ReturnLogits && !CrossEntropy.MaterialisesLogits)
            throw new ArgumentException($"return_logits: the {CrossEntropy.Name} loss never materialises the logits; use the default or chunked loss", nameof(options));
        using var scope = torch.NewDisposeScope();
        var (batch, length) = (labels.size(0), labels.size(1));
        using var tokens = CrossEntropy.Compute(head, hidden.reshape([batch * length, -1]), labels.reshape([-1]), IgnoreIndex, LabelSmoothing,
            out var logits);                                                              // (N), (N), (N, V)?
        var zTokens = ZLossMultiplier is { } m ? tokens.Lse.square() * m : null;         // 0 at ignored tokens: lse is 0 there
        var lossTokens = zTokens is null ? tokens.Nll : tokens.Nll + zTokens;

        var divisor = options.Reduction == LossReduction.Mean ? labels.ne(IgnoreIndex).sum().clamp(min: 1) : null;
        Tensor Reduce(Tensor perToken)
        {
            var reduced = options.Reduction switch
            {
                LossReduction.None => perToken.view([batch, length]),
                LossReduction.Sum => perToken.sum(),
                _ => perToken.sum() / divisor!,
            };
            return options.LossDivFactor is { } f ? reduced / f : reduced;
        }

        var loss = Reduce(lossTokens);
        var ce = (zTokens is null ? loss : Reduce(tokens.Nll)).detach();            // without z-loss the loss is the CE
        var z = zTokens is null ? null : Reduce(zTokens).detach();
        var keptLogits = options.ReturnLogits ? logits!.view([batch, length, -1]).MoveToOuterDisposeScope() : null;
        logits?.Dispose();
        return new LMOutput(keptLogits, loss.MoveToOuterDisposeScope(), ce.MoveToOuterDisposeScope(), z?.MoveToOuterDisposeScope());
    }
}
