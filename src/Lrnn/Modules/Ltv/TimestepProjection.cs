using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Modules.Ltv;

/// <summary>
/// Mamba's <c>dt_proj</c>: Δ_t = softplus(W·dt_low_t + b), (d_inner, dt_rank) weight and (d_inner) bias, the keys of
/// an <c>nn.Linear</c>. It is its own module type rather than a <see cref="Linear"/> because its bias is an
/// initialisation in its own right — softplus⁻¹ of timesteps log-uniform in [dt_min, dt_max] — that the language
/// model's re-initialisation of Linear biases must not zero (mamba_ssm marks it <c>_no_reinit</c> for the same reason).
/// <see cref="Module{T, TResult}.forward"/> returns W·dt_low only: the bias is added inside the scan (delta_bias).
/// </summary>
public sealed class TimestepProjection : Module<Tensor, Tensor>
{
    /// <summary>
    /// R = <paramref name="dtRank"/> → E = <paramref name="dInner"/> channels. W = R^−½·dt_scale everywhere when
    /// <paramref name="constantInit"/> (dt_init = "constant"), otherwise W ~ U(±R^−½·dt_scale).
    /// </summary>
    public TimestepProjection(long dtRank, long dInner, double dtMin, double dtMax, bool constantInit, double dtScale, double dtInitFloor,
        ScalarType? dtype = null, Device? device = null)
    {
        var std = dtScale / Math.Sqrt(dtRank);
        var w = RegisterParameter("weight", torch.empty([dInner, dtRank], dtype, device));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        if (constantInit) w.fill_(std);
        else w.uniform_(-std, std);
        // Δ = exp(U(log dt_min, log dt_max)) ≥ floor; bias = softplus⁻¹(Δ) = Δ + log(−expm1(−Δ)).
        var dt = torch.empty([dInner], ScalarType.Float64, device).uniform_(Math.Log(dtMin), Math.Log(dtMax)).exp().clamp(min: dtInitFloor);
        RegisterParameter("bias", dt.add(dt.neg().expm1().neg().log()).to(dtype ?? ScalarType.Float32));
    }

    /// <summary>(d_inner, dt_rank).</summary>
    public Tensor weight => GetParameter("weight")!;

    /// <summary>(d_inner): softplus⁻¹ of the initial timesteps.</summary>
    public Tensor bias => GetParameter("bias")!;

    /// <summary>dt_low (..., R) → W·dt_low (..., E), without the bias.</summary>
    public override Tensor forward(Tensor input) => torch.nn.functional.linear(input, weight);
}
