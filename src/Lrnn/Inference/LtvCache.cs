using Lrnn.Torch;

namespace Lrnn.Inference;

/// <summary>
/// The cache of the linear time-varying mixers (Mamba, RGLRU, S7, S5LTV): the recurrent state h after the last
/// consumed token (lrnnx's <c>lrnn_state</c> / <c>ssm_state</c>, in the compute precision: float32 for float32 and
/// half models, float64 for float64, complex for S5LTV) and, for mixers with a short convolution, the conv state: the
/// last d_conv inputs of the convolution, (B, C, d_conv), oldest first, in the model's dtype.
/// </summary>
public sealed class LtvCache : MixerCache
{
    public LtvCache(long batch, long maxSeqLen, long[] stateShape, ScalarType stateType, long[]? convStateShape, ScalarType convType, Device device)
        : base(batch, maxSeqLen)
    {
        State = torch.zeros([batch, .. stateShape], stateType, device).DetachFromDisposeScope();
        ConvState = convStateShape is null ? null : torch.zeros([batch, .. convStateShape], convType, device).DetachFromDisposeScope();
    }

    /// <summary>h (B, ...): the state after the last consumed token.</summary>
    public Tensor State { get; }

    /// <summary>(B, C, d_conv): the last d_conv convolution inputs; null for mixers without a convolution.</summary>
    public Tensor? ConvState { get; }

    /// <summary>Overwrites the state with <paramref name="h"/> (B, ...), outside the autograd graph.</summary>
    public void Keep(Tensor h)
    {
        using (torch.no_grad()) State.copy_(h);
    }

    public override void Reset()
    {
        base.Reset();
        State.zero_();
        ConvState?.zero_();
    }

    public override void Dispose()
    {
        State.Dispose();
        ConvState?.Dispose();
    }
}
