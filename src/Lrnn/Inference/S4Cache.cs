using Lrnn.Torch;

namespace Lrnn.Inference;

/// <summary>
/// The state of an S4 or S4D layer, h (B, H, M) complex (complex64, or complex128 for float64 models): M = N/2
/// diagonal modes for S4D, the full N = 2·N/2 states of the dense DPLR recurrence for S4 (lrnnx's "lrnn_state").
/// </summary>
public sealed class S4Cache : MixerCache
{
    public S4Cache(long batch, long maxSeqLen, long features, long stateSize, ScalarType dtype, Device device) : base(batch, maxSeqLen)
    {
        var complexType = dtype == ScalarType.Float64 ? ScalarType.ComplexFloat64 : ScalarType.ComplexFloat32;
        State = torch.zeros([batch, features, stateSize], complexType, device).DetachFromDisposeScope();
    }

    /// <summary>h (B, H, M): the state after the last consumed token.</summary>
    public Tensor State { get; }

    public override void Reset()
    {
        base.Reset();
        State.zero_();
    }

    public override void Dispose() => State.Dispose();
}
