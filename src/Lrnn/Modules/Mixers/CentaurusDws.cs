using Lrnn.Modules.Lti;
using Lrnn.Torch;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// Centaurus's depthwise-separable mode (lrnnx's <c>CentaurusDWS</c>): one state per channel, so d_state = d_model;
/// B and C (H) start at ones and act as diagonal matrices (lrnnx builds diag(B), diag(C); element-wise here).
/// v = δ ⊙ B ⊙ u, y = C ⊙ z.
/// </summary>
public sealed class CentaurusDws : Centaurus
{
    public CentaurusDws(long dModel, long dState, long subStateDim, ScalarType? dtype = null, Device? device = null)
        : base(CentaurusMode.Dws, dModel, dState, subStateDim, mixesSubStates: true, dtype, device)
    {
        B = RegisterParameter("B", torch.ones([dModel], dtype ?? ScalarType.Float32, device));
        C = RegisterParameter("C", torch.ones([dModel], dtype ?? ScalarType.Float32, device));
    }

    public Tensor B { get; }    // (H)
    public Tensor C { get; }    // (H)

    protected override Tensor Lift(Tensor u, Tensor delta)
    {
        using var bBar = delta.mul(Precision.Cast(B, u.dtype));                                        // (H)
        return u.mul(bBar);
    }

    protected override Tensor Project(Tensor z) => z.mul(Precision.Cast(C, z.dtype));
}
