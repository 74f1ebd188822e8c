using Lrnn.Modules.Lti;
using Lrnn.Torch;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// Centaurus's pointwise bottleneck (lrnnx's <c>CentaurusPWNeck</c>, modes "pointwise", "pw" and "s5"): the N·M
/// sub-states are independent lanes with dense B (N·M, H) = 1/√H and C (H, N·M) ~ N(0, 2/NM), no E; lane n·M + m
/// uses δ_n. v = (δ_rep ⊙ B) u, y = C Re(s).
/// </summary>
public sealed class CentaurusPointwise : Centaurus
{
    public CentaurusPointwise(long dModel, long dState, long subStateDim, ScalarType? dtype = null, Device? device = null)
        : base(CentaurusMode.Pointwise, dModel, dState, subStateDim, mixesSubStates: false, dtype, device)
    {
        var lanes = dState * subStateDim;
        var type = dtype ?? ScalarType.Float32;
        using var noGrad = torch.no_grad();
        B = RegisterParameter("B", torch.full([lanes, dModel], 1 / Math.Sqrt(dModel), type, device));
        C = RegisterParameter("C", torch.empty([dModel, lanes], type, device).normal_(0, Math.Sqrt(2.0 / lanes)));
    }

    public Tensor B { get; }    // (N·M, H)
    public Tensor C { get; }    // (H, N·M)

    protected override Tensor Lift(Tensor u, Tensor delta)
    {
        using var perLane = delta.repeat_interleave(SubStateDim).unsqueeze(-1);        // (N·M, 1)
        using var bBar = perLane.mul(Precision.Cast(B, u.dtype));                                       // (N·M, H)
        using var bBarT = bBar.transpose(0, 1);
        return u.matmul(bBarT);                                                         // (..., N·M)
    }

    protected override Tensor Project(Tensor z)
    {
        using var cT = Precision.Cast(C, z.dtype).transpose(0, 1);                                      // (N·M, H)
        return z.matmul(cT);
    }
}
