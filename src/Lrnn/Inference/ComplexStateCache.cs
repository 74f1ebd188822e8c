using Lrnn.Torch;

namespace Lrnn.Inference;

/// <summary>
/// The complex diagonal state of an LTI mixer (LRU and S5: (B, N); S4 and S4D: (B, H, M); Centaurus: (B, lanes, sub-states)), complex64 for
/// float32/half/bfloat16 models and complex128 for float64 ones, so that steps compute Ā^t as accurately as the
/// full-sequence kernels do.
/// </summary>
public class ComplexStateCache : MixerCache
{
    /// <summary>A zero state of shape (<paramref name="batch"/>, <paramref name="stateShape"/>...), complex of <paramref name="dtype"/>'s precision.</summary>
    public ComplexStateCache(long batch, long maxSeqLen, long[] stateShape, ScalarType dtype, Device device) : base(batch, maxSeqLen)
    {
        State = torch.zeros([batch, .. stateShape], Modules.Precision.ComplexType(dtype), device).DetachFromDisposeScope();
    }

    /// <summary>h (B, ...) complex: the state after the last consumed token.</summary>
    public Tensor State { get; }

    /// <summary>Overwrites the state with <paramref name="h"/> (B, ...), outside the autograd graph.</summary>
    public void Keep(Tensor h)
    {
        using (torch.no_grad()) State.copy_(h);
    }

    public override void Reset()
    {
        base.Reset();
        State.zero_();
    }

    public override void Dispose() => State.Dispose();
}
