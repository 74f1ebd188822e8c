using Lrnn.Torch;

namespace Lrnn.Inference;

/// <summary>
/// S4's state (B, H, M) plus its step matrices: dA, dB and the output row depend only on the weights (and on the
/// kernel length C̃ is set up for), yet cost an (H, M, M) discretisation, a matrix power and a series solve to
/// build, so decoding builds them once per cache instead of once per token.
/// </summary>
public sealed class S4Cache(long batch, long maxSeqLen, long features, long stateSize, ScalarType dtype, Device device)
    : ComplexStateCache(batch, maxSeqLen, [features, stateSize], dtype, device)
{
    /// <summary>(compute type, dA (H, M, M), dB (H, M), output (C, H, M)) as last built, or null.</summary>
    internal (ScalarType Type, Tensor DA, Tensor DB, Tensor Output)? StepMatrices { get; private set; }

    internal void SetStepMatrices(ScalarType type, Tensor dA, Tensor dB, Tensor output)
    {
        ClearStepMatrices();
        StepMatrices = (type, dA.DetachFromDisposeScope(), dB.DetachFromDisposeScope(), output.DetachFromDisposeScope());
    }

    /// <summary>Forgets the step matrices (a prefill may have rewritten C̃ for a longer kernel).</summary>
    internal void ClearStepMatrices()
    {
        if (StepMatrices is not { } m) return;
        m.DA.Dispose();
        m.DB.Dispose();
        m.Output.Dispose();
        StepMatrices = null;
    }

    public override void Dispose()
    {
        ClearStepMatrices();
        base.Dispose();
    }
}
