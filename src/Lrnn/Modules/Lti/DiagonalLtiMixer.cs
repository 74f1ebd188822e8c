using Lrnn.Inference;
using Lrnn.Torch;

namespace Lrnn.Modules.Lti;

/// <summary>
/// The diagonal complex LTI mixers that differ only in their parameterisation (the LRU and S5):
/// <code>
/// h_t = Ā ⊙ h_{t−1} + B̄ u_t     (B, N) complex
/// y_t = Re(C h_t) + skip(u_t)    (B, H)
/// </code>
/// A subclass discretises its parameters (<see cref="Discretize"/>) and applies its skip term; the full-sequence path
/// (<see cref="DiagonalRecurrence.States"/>, padded inputs zeroed) and the step are here.
/// </summary>
public abstract class DiagonalLtiMixer : Mixer<ComplexStateCache>
{
    /// <summary>Ā and log Ā (N) complex; B̄ (N, H) and C (H, N) as real and imaginary parts; in <see cref="Type"/>, the compute precision.</summary>
    protected sealed record DiscreteSystem(ScalarType Type, Tensor ABar, Tensor LogABar, Tensor BRe, Tensor BIm, Tensor CRe, Tensor CIm);

    /// <summary>
    /// The discretised system in <paramref name="type"/>: float64 for float64 inputs, float32 otherwise (complex
    /// arithmetic in half precision is neither available nor accurate enough for Ā^l). Call inside a dispose scope.
    /// </summary>
    protected abstract DiscreteSystem Discretize(ScalarType type);

    /// <summary>The skip term of u (..., H), in u's (compute) type.</summary>
    protected abstract Tensor Skip(Tensor u);

    /// <summary>N: the complex states.</summary>
    public abstract long DState { get; }

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new ComplexStateCache(batch, maxSeqLen, [DState], dtype, device);

    protected override Tensor Forward(Tensor x, MixerContext context, ComplexStateCache? cache)
    {
        var s = Discretize(Precision.ComputeType(x.dtype));
        var u = Precision.Cast(LengthMask.Apply(x, context.Lengths, cache?.Position ?? 0), s.Type);      // (B, L, H)
        var states = DiagonalRecurrence.States(ComplexProjection.In(u, s.BRe, s.BIm, s.Type), s.LogABar, cache, context.Lengths);   // (B, L, N)
        return Precision.Cast(ReadOut(states, u, s), x.dtype);
    }

    protected override Tensor StepToken(Tensor x, ComplexStateCache cache, StepContext context)
    {
        var s = Discretize(Precision.ComputeType(x.dtype));
        var u = Precision.Cast(x, s.Type);                                                                // (B, H)
        var h = DiagonalRecurrence.Step(ComplexProjection.In(u, s.BRe, s.BIm, s.Type), s.ABar, cache);    // (B, N)
        return Precision.Cast(ReadOut(h, u, s), x.dtype);
    }

    /// <summary>Re(C h) + skip(u): h (..., N) complex, u (..., H) → (..., H), in the compute type.</summary>
    private Tensor ReadOut(Tensor h, Tensor u, DiscreteSystem s) => ComplexProjection.OutReal(h, s.CRe, s.CIm, s.Type).add(Skip(u));
}
