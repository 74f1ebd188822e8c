using Lrnn.Torch;

namespace Lrnn.Losses;

/// <summary>
/// The per-token quantities every loss is reduced from, each (N) in float32 (float64 for float64 models) and 0 at
/// ignored tokens: <see cref="Nll"/> = −log p(label) (label-smoothed when asked) and <see cref="Lse"/> = log Σ exp(logits),
/// the z-loss's input. Owns both tensors.
/// </summary>
public sealed class TokenLosses(Tensor nll, Tensor lse) : IDisposable
{
    public Tensor Nll { get; } = nll;
    public Tensor Lse { get; } = lse;

    public void Dispose()
    {
        Nll.Dispose();
        Lse.Dispose();
    }
}
