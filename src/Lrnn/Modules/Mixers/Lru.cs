using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Modules.Lti;
using Lrnn.Torch;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// The Linear Recurrent Unit (Orvieto et al. 2023, "Resurrecting Recurrent Neural Networks for Long Sequences"),
/// as lrnnx's <c>lrnnx/models/lti/lru.py</c>: parameters, names and initialisation are lrnnx's.
/// <code>
/// Λ = exp(−e^{nu_log} + i·e^{theta_log})        (N) complex, |Λ| &lt; 1
/// B̃ = (B_re + i·B_im) · e^{gamma_log}            (N, H) complex
/// h_t = Λ ⊙ h_{t−1} + B̃ u_t                    (B, N)
/// y_t = Re(C h_t) + D ⊙ u_t,  C = C_re + i·C_im  (B, H)
/// </code>
/// The full-sequence path is a causal convolution of B̃u with the kernel K_l = Λ^l, computed with complex FFTs of
/// length 2L (no token loop); <see cref="Mixer.Step"/> runs the recurrence. The kernel powers are exp(l·log Λ), never
/// repeated products, so they stay accurate for long sequences. The convolution materialises every state h_t, so a
/// prefill leaves h_L (its last state, plus Λ^L times the state it started from) in the cache at no extra cost.
/// </summary>
public sealed class Lru : DiagonalLtiMixer
{
    public static readonly MixerSchema Schema = new(
        new MixerKwarg("r_min", KwargKind.Float, 0.0),
        new MixerKwarg("r_max", KwargKind.Float, 1.0),
        new MixerKwarg("max_phase", KwargKind.Float, 2 * Math.PI));

    /// <summary>Range checks of the LRU kwargs (registered with the schema).</summary>
    public static IEnumerable<string> ModelProblems(LrnnConfig config, MixerArguments args)
    {
        var (rMin, rMax) = (args.GetDouble("r_min"), args.GetDouble("r_max"));
        if (!(0 <= rMin && rMin < rMax && rMax <= 1))
            yield return $"LRU: needs 0 ≤ r_min < r_max ≤ 1 (the eigenvalue moduli), got r_min={rMin}, r_max={rMax}";
    }

    private readonly long _dModel;

    public override long DModel => _dModel;
    public override long DState { get; }

    public Lru(MixerSpec spec)
        : this(spec.Config.DModel, spec.Config.DState, spec.Arguments.GetDouble("r_min"), spec.Arguments.GetDouble("r_max"),
               spec.Arguments.GetDouble("max_phase"), spec.Dtype, spec.Device)
    {
    }

    /// <summary>
    /// An LRU over d_model = <paramref name="dModel"/> features with <paramref name="dState"/> complex states. The
    /// eigenvalues Λ are drawn uniformly on the ring <paramref name="rMin"/> ≤ |Λ| ≤ <paramref name="rMax"/> with
    /// 0 ≤ arg Λ ≤ <paramref name="maxPhase"/>.
    /// </summary>
    public Lru(long dModel, long dState, double rMin = 0, double rMax = 1, double maxPhase = 2 * Math.PI,
        ScalarType? dtype = null, Device? device = null)
    {
        if (dModel <= 0 || dState <= 0) throw new ArgumentException($"d_model and d_state must be positive, got {dModel} and {dState}");
        if (!(0 <= rMin && rMin < rMax && rMax <= 1)) throw new ArgumentException($"LRU needs 0 ≤ r_min < r_max ≤ 1, got r_min={rMin}, r_max={rMax}");
        _dModel = dModel;
        DState = dState;
        var type = dtype ?? ScalarType.Float32;

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // u1 ~ U(0,1): |Λ|² uniform on [r_min², r_max²], so ν = −½ log(u1 (r_max² − r_min²) + r_min²).
        var u1 = torch.empty([dState], ScalarType.Float64, device).uniform_(0, 1);
        var nuLog = u1.mul(rMax * rMax - rMin * rMin).add(rMin * rMin).log().mul(-0.5).log();     // (N)
        var thetaLog = torch.empty([dState], ScalarType.Float64, device).uniform_(0, 1).mul(maxPhase).log();
        // γ = √(1 − |Λ|²) normalises the state's variance for white-noise input; |Λ|² = exp(−2e^ν).
        var gammaLog = (1.0 - nuLog.exp().mul(-2).exp()).sqrt().log();                            // (N)

        nu_log = RegisterParameter("nu_log", nuLog.to(type));
        theta_log = RegisterParameter("theta_log", thetaLog.to(type));
        B_re = RegisterParameter("B_re", Normal([dState, dModel], 1 / Math.Sqrt(2 * dModel), type, device));
        B_im = RegisterParameter("B_im", Normal([dState, dModel], 1 / Math.Sqrt(2 * dModel), type, device));
        C_re = RegisterParameter("C_re", Normal([dModel, dState], 1 / Math.Sqrt(dState), type, device));
        C_im = RegisterParameter("C_im", Normal([dModel, dState], 1 / Math.Sqrt(dState), type, device));
        D = RegisterParameter("D", Normal([dModel], 1, type, device));
        gamma_log = RegisterParameter("gamma_log", gammaLog.to(type));
    }

    private static Tensor Normal(long[] shape, double std, ScalarType type, Device? device) =>
        torch.empty(shape, type, device).normal_(0, std);

    // Named as lrnnx's attributes: these are the state-dict keys.
    public Tensor nu_log { get; }        // (N)
    public Tensor theta_log { get; }     // (N)
    public Tensor B_re { get; }          // (N, H)
    public Tensor B_im { get; }          // (N, H)
    public Tensor C_re { get; }          // (H, N)
    public Tensor C_im { get; }          // (H, N)
    public Tensor D { get; }             // (H)
    public Tensor gamma_log { get; }     // (N)

    /// <summary>Ā = Λ = exp(−e^{nu_log} + i·e^{theta_log}) (N); B̄ = (B_re + i·B_im)·e^{gamma_log} (N, H); C.</summary>
    protected override DiscreteSystem Discretize(ScalarType type)
    {
        var logLambda = torch.complex(Precision.Cast(nu_log, type).exp().neg(), Precision.Cast(theta_log, type).exp());
        var gamma = Precision.Cast(gamma_log, type).exp().unsqueeze(-1);                                  // (N, 1)
        return new DiscreteSystem(type, logLambda.exp(), logLambda, Precision.Cast(B_re, type).mul(gamma), Precision.Cast(B_im, type).mul(gamma),
            Precision.Cast(C_re, type), Precision.Cast(C_im, type));
    }

    /// <summary>D ⊙ u.</summary>
    protected override Tensor Skip(Tensor u) => u.mul(Precision.Cast(D, u.dtype));
}
