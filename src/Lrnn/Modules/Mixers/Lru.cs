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
public sealed class Lru : Mixer<ComplexStateCache>
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
    private readonly long _dState;

    public override long DModel => _dModel;

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
        _dState = dState;
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

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new ComplexStateCache(batch, maxSeqLen, [_dState], dtype, device);

    protected override Tensor Forward(Tensor x, MixerContext context, ComplexStateCache? cache)
    {
        var length = x.size(1);

        var w = Derive(x);
        var u = Precision.Cast(x, w.Type);                                                        // (B, L, H)
        var bu = InputToState(u, w);                                                    // (B, L, N) complex

        var states = DiagonalRecurrence.States(bu, torch.complex(w.LogLambdaRe, w.LogLambdaIm), cache, context.Lengths); // (B, L, N)
        var y = ReadOut(states, u, w);                                                  // (B, L, H)
        return Precision.Cast(y, x.dtype);
    }

    protected override Tensor StepToken(Tensor x, ComplexStateCache cache, StepContext context)
    {
        var w = Derive(x);
        var u = Precision.Cast(x, w.Type);                                                        // (B, H)
        var h = DiagonalRecurrence.Step(InputToState(u, w), w.Lambda, cache);             // (B, N)
        var y = ReadOut(h, u, w);                                                       // (B, H)
        return Precision.Cast(y, x.dtype);
    }

    /// <summary>
    /// The quantities both paths derive from the parameters, in the compute precision: float64 for float64 inputs,
    /// float32 otherwise (complex arithmetic in half precision is neither available nor accurate enough for Λ^l).
    /// </summary>
    private sealed record Derived(ScalarType Type, Tensor LogLambdaRe, Tensor LogLambdaIm, Tensor Lambda,
        Tensor BRe, Tensor BIm, Tensor CRe, Tensor CIm, Tensor D);

    /// <summary>log Λ = −e^{nu_log} + i·e^{theta_log} (N); B̃ = (B_re + i·B_im)·e^{gamma_log} (N, H); C; D. Call inside a dispose scope.</summary>
    private Derived Derive(Tensor x)
    {
        var type = Precision.ComputeType(x.dtype);
        var logRe = Precision.Cast(nu_log, type).exp().neg();
        var logIm = Precision.Cast(theta_log, type).exp();
        var gamma = Precision.Cast(gamma_log, type).exp().unsqueeze(-1);                           // (N, 1)
        return new Derived(type, logRe, logIm, torch.complex(logRe, logIm).exp(),
            Precision.Cast(B_re, type).mul(gamma), Precision.Cast(B_im, type).mul(gamma), Precision.Cast(C_re, type), Precision.Cast(C_im, type), Precision.Cast(D, type));
    }

    /// <summary>u (..., H) real → B̃u (..., N) complex.</summary>
    private static Tensor InputToState(Tensor u, Derived w) => ComplexProjection.In(u, w.BRe, w.BIm, w.Type);

    /// <summary>Re(C h) + D ⊙ u: h (..., N) complex, u (..., H) → (..., H), in the compute type.</summary>
    private static Tensor ReadOut(Tensor h, Tensor u, Derived w) => ComplexProjection.OutReal(h, w.CRe, w.CIm, w.Type).add(u.mul(w.D));
}
