using Lrnn.Torch;

namespace Lrnn.Losses;

/// <summary>Labels aligned with the inputs, as OLMo-core's get_labels.</summary>
public static class LanguageModelingLabels
{
    /// <summary>
    /// inputIds (B, L) → labels (B, L): position t holds the token at t + 1, the last position and every position whose
    /// next token is masked out (<paramref name="labelMask"/> (B, L) bool, false = not a target) hold
    /// <paramref name="ignoreIndex"/>. Then <c>head.Forward(hidden, labels)</c> scores next-token prediction with no
    /// shifting inside the head.
    /// </summary>
    public static Tensor FromInputIds(Tensor inputIds, Tensor? labelMask = null, long ignoreIndex = -100)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2) throw new ArgumentException($"input_ids must be (B, L); got [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
        if (labelMask is not null && !labelMask.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"label_mask [{string.Join(", ", labelMask.shape)}] must have input_ids' shape [{string.Join(", ", inputIds.shape)}]", nameof(labelMask));
        using var scope = torch.NewDisposeScope();
        var targets = labelMask is null ? inputIds : inputIds.masked_fill(labelMask.logical_not(), ignoreIndex);
        var next = targets.narrow(1, 1, inputIds.size(1) - 1);                          // (B, L−1)
        return torch.nn.functional.pad(next, [0, 1], ignoreIndex).MoveToOuterDisposeScope();
    }
}
