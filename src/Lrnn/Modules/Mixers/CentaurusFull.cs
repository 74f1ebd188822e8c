using Lrnn.Modules.Lti;
using Lrnn.Torch;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// Centaurus's full mode (lrnnx's <c>CentaurusFull</c>): one state per (output o, input i) channel pair, state
/// s = o·H + i, so d_state = d_model². B, C (N) are scalars per state: B ~ N(0, 2/H), C ~ N(0, 2/N). lrnnx scatters
/// them into B̄ (N, H) and C (H, N) matrices that are zero but for B̄[s, i] and C[o, s]; here the state axis is viewed
/// as (H, H) instead: v_{o,i} = δ_s B_s u_i, y_o = Σ_i C_s z_s.
/// </summary>
public sealed class CentaurusFull : Centaurus
{
    public CentaurusFull(long dModel, long dState, long subStateDim, ScalarType? dtype = null, Device? device = null)
        : base(CentaurusMode.Full, dModel, dState, subStateDim, mixesSubStates: true, dtype, device)
    {
        var type = dtype ?? ScalarType.Float32;
        using var noGrad = torch.no_grad();
        B = RegisterParameter("B", torch.empty([dState], type, device).normal_(0, Math.Sqrt(2.0 / dModel)));
        C = RegisterParameter("C", torch.empty([dState], type, device).normal_(0, Math.Sqrt(2.0 / dState)));
    }

    public Tensor B { get; }    // (N = H²)
    public Tensor C { get; }    // (N = H²)

    protected override Tensor Lift(Tensor u, Tensor delta)
    {
        using var bBar = delta.mul(Precision.Cast(B, u.dtype)).view(DModel, DModel);                    // (H_out, H_in)
        using var row = u.unsqueeze(-2);                                                // (..., 1, H_in)
        using var pairs = row.mul(bBar);                                                // (..., H_out, H_in)
        return pairs.flatten(-2);                                                       // (..., N)
    }

    protected override Tensor Project(Tensor z)
    {
        using var pairs = z.unflatten(-1, DModel, DModel);                              // (..., H_out, H_in)
        using var c = Precision.Cast(C, z.dtype).view(DModel, DModel);
        using var weighted = pairs.mul(c);
        return weighted.sum(-1);                                                        // (..., H_out)
    }
}
