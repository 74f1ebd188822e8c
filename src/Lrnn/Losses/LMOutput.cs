using Lrnn.Torch;

namespace Lrnn.Losses;

/// <summary>
/// What a head returns with labels (OLMo-core's LMOutputWithLoss): <see cref="Loss"/> to optimise (CE + z-loss, reduced
/// and divided by the loss_div_factor), and detached copies of its two parts for logging. Owns its tensors.
/// </summary>
public sealed class LMOutput(Tensor? logits, Tensor loss, Tensor ceLoss, Tensor? zLoss) : IDisposable
{
    /// <summary>(B, L, V) when asked for (<see cref="LMLossOptions.ReturnLogits"/>), else null.</summary>
    public Tensor? Logits { get; } = logits;

    /// <summary>The loss to optimise: a scalar, or (B, L) for <see cref="LossReduction.None"/>.</summary>
    public Tensor Loss { get; } = loss;

    /// <summary>The cross-entropy part of <see cref="Loss"/>, detached (for logging).</summary>
    public Tensor CeLoss { get; } = ceLoss;

    /// <summary>The z-loss part of <see cref="Loss"/>, detached; null when the loss has no z-loss.</summary>
    public Tensor? ZLoss { get; } = zLoss;

    public void Dispose()
    {
        Logits?.Dispose();
        Loss.Dispose();
        CeLoss.Dispose();
        ZLoss?.Dispose();
    }
}
