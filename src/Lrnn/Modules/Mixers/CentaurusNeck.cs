using Lrnn.Modules.Lti;
using Lrnn.Torch;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// Centaurus's bottleneck mode (lrnnx's <c>CentaurusNeck</c>, its default): dense B (N, H) and C (H, N), both
/// kaiming_uniform(a=√5) = U(±1/√fan_in) as lrnnx; v = (δ ⊙ B) u, y = C z.
/// </summary>
public sealed class CentaurusNeck : Centaurus
{
    public CentaurusNeck(long dModel, long dState, long subStateDim, ScalarType? dtype = null, Device? device = null)
        : base(CentaurusMode.Neck, dModel, dState, subStateDim, mixesSubStates: true, dtype, device)
    {
        using var noGrad = torch.no_grad();
        B = RegisterParameter("B", torch.nn.init.kaiming_uniform_(torch.empty([dState, dModel], dtype ?? ScalarType.Float32, device), Math.Sqrt(5)));
        C = RegisterParameter("C", torch.nn.init.kaiming_uniform_(torch.empty([dModel, dState], dtype ?? ScalarType.Float32, device), Math.Sqrt(5)));
    }

    public Tensor B { get; }    // (N, H)
    public Tensor C { get; }    // (H, N)

    protected override Tensor Lift(Tensor u, Tensor delta)
    {
        using var bBar = delta.unsqueeze(-1).mul(Precision.Cast(B, u.dtype));                          // (N, H)
        using var bBarT = bBar.transpose(0, 1);
        return u.matmul(bBarT);                                                         // (..., N)
    }

    protected override Tensor Project(Tensor z)
    {
        using var cT = Precision.Cast(C, z.dtype).transpose(0, 1);                                      // (N, H)
        return z.matmul(cT);
    }
}
