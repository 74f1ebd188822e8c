using Lrnn.Torch;

namespace Lrnn.Inference;

/// <summary>The LRU's recurrent state h (B, N), complex (complex64 for float32/half/bfloat16 models, complex128 for float64).</summary>
public sealed class LruCache : MixerCache
{
    public LruCache(long batch, long maxSeqLen, long stateSize, ScalarType dtype, Device device) : base(batch, maxSeqLen)
    {
        var complexType = dtype == ScalarType.Float64 ? ScalarType.ComplexFloat64 : ScalarType.ComplexFloat32;
        State = torch.zeros([batch, stateSize], complexType, device).DetachFromDisposeScope();
    }

    /// <summary>h (B, N) complex: the state after the last consumed token.</summary>
    public Tensor State { get; }

    public override void Reset()
    {
        base.Reset();
        State.zero_();
    }

    public override void Dispose() => State.Dispose();
}
