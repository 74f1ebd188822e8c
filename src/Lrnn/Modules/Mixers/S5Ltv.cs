using System.Numerics;
using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Modules.Lti;
using Lrnn.Modules.Ltv;
using Lrnn.Ops;
using Lrnn.Torch;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// S5 with HiPPO-N initialisation (Smith et al. 2023, "Simplified State Space Layers for Sequence Modeling") as lrnnx's
/// <c>lrnnx/models/ltv/s5.py</c>, registered as "S5LTV" (lrnnx's registry name "S5" is the LTI S5 with an S4D-Lin
/// initialisation). Keys, initialisation and forward function are lrnnx's:
/// <code>
/// Λ = A[:, 0] + i·A[:, 1],  B̃ = B[..., 0] + i·B[..., 1] (P, H),  C̃ (H, P),  Δ = e^{log_dt}·step_rescale (P)
/// Ā, γ = discretize(Λ, Δ)              zoh | bilinear | dirac (<see cref="Discretization"/>)
/// h_t = Ā_t ⊙ h_{t−1} + γ ⊙ B̃u_t        (B, P) complex
/// y_t = Re(C̃ h_t)·(2 if conj_sym) + D ⊙ u_t
/// </code>
/// The system is time-invariant except in event mode, where the integration timesteps τ_t (B, L) make Ā_t use
/// Δ_A = τ_t·Δ (γ keeps Δ) — asynchronous, event-driven inputs. conj_sym keeps one eigenvalue of each conjugate pair of
/// HiPPO-N(2P) and doubles the real part of the output. The recurrence is one complex <see cref="ops.linear_scan"/>.
/// </summary>
public sealed class S5Ltv : Mixer<LtvCache>
{
    public static readonly MixerSchema Schema = new(
        new MixerKwarg("discretization", KwargKind.String, "zoh") { Choices = Methods },
        new MixerKwarg("conj_sym", KwargKind.Bool, false),
        new MixerKwarg("dt_min", KwargKind.Float, 0.001),
        new MixerKwarg("dt_max", KwargKind.Float, 0.1),
        new MixerKwarg("step_rescale", KwargKind.Float, 1.0),
        new MixerKwarg("use_fast_path", KwargKind.Bool, true));

    /// <summary>Range checks of the S5LTV kwargs (registered with the schema).</summary>
    public static IEnumerable<string> ModelProblems(LrnnConfig config, MixerArguments args)
    {
        var (dtMin, dtMax) = (args.GetDouble("dt_min"), args.GetDouble("dt_max"));
        if (!(0 < dtMin && dtMin <= dtMax)) yield return $"S5LTV: needs 0 < dt_min ≤ dt_max, got dt_min={dtMin}, dt_max={dtMax}";
        if (!(args.GetDouble("step_rescale") > 0)) yield return $"S5LTV: step_rescale must be positive, got {args.GetDouble("step_rescale")}";
    }

    private readonly long _dModel;
    private readonly long _dState;
    private readonly DiscretizationMethod _discretization;

    public override long DModel => _dModel;

    /// <summary>lrnnx's S5 (LTV) discretisations: those of <see cref="Discretization"/> that use Δ.</summary>
    private static readonly string[] Methods = ["zoh", "bilinear", "dirac"];
    private readonly bool _conjSym;
    private readonly double _stepRescale;

    public S5Ltv(MixerSpec spec)
        : this(spec.Config.DModel, spec.Config.DState, spec.Arguments.GetString("discretization"), spec.Arguments.GetBool("conj_sym"),
               spec.Arguments.GetDouble("dt_min"), spec.Arguments.GetDouble("dt_max"), spec.Arguments.GetDouble("step_rescale"), spec.Dtype, spec.Device)
    {
    }

    public S5Ltv(long dModel, long dState, string discretization = "zoh", bool conjSym = false, double dtMin = 0.001, double dtMax = 0.1,
        double stepRescale = 1.0, ScalarType? dtype = null, Device? device = null)
    {
        if (dModel <= 0 || dState <= 0) throw new ArgumentException($"S5LTV: d_model and d_state must be positive, got {dModel} and {dState}");
        if (!Methods.Contains(discretization))
            throw new ArgumentException($"S5LTV: unknown discretization '{discretization}' (known: {string.Join(", ", Methods)})", nameof(discretization));
        _dModel = dModel;
        _dState = dState;
        _discretization = Discretization.Parse(discretization);
        _conjSym = conjSym;
        _stepRescale = stepRescale;
        var type = dtype ?? ScalarType.Float32;

        // Λ, V of HiPPO-N(P), or the first P (one per conjugate pair) of HiPPO-N(2P) with V's first P columns.
        var local = conjSym ? 2 * dState : dState;
        var (lambda, v) = HippoN.Diagonalise((int)local);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var vRe = torch.tensor(Part(v, dState, c => c.Real), [local, dState], device);
        var vIm = torch.tensor(Part(v, dState, c => c.Imaginary), [local, dState], device);
        // B̃ = V⁻¹ B = Vᴴ B with B ~ N(0, 1/local_P) (local_P, H); C̃ = C V with C ~ N(0, 1/local_P) + i N(0, 1/local_P).
        var std = Math.Sqrt(1.0 / local);
        var b = torch.empty([local, dModel], ScalarType.Float64, device).normal_(0, std);
        var bTilde = torch.stack([vRe.transpose(0, 1).matmul(b), vIm.transpose(0, 1).matmul(b).neg()], -1);       // (P, H, 2)
        var cRe = torch.empty([dModel, local], ScalarType.Float64, device).normal_(0, std);
        var cIm = torch.empty([dModel, local], ScalarType.Float64, device).normal_(0, std);
        var cTilde = torch.stack([cRe.matmul(vRe).sub(cIm.matmul(vIm)), cRe.matmul(vIm).add(cIm.matmul(vRe))], -1); // (H, P, 2)
        var lambdaParts = lambda.Take((int)dState).SelectMany(c => new[] { c.Real, c.Imaginary }).ToArray();

        A = RegisterParameter("A", torch.tensor(lambdaParts, [dState, 2], device).to(type));
        B = RegisterParameter("B", bTilde.to(type));
        C = RegisterParameter("C", cTilde.to(type));
        D = RegisterParameter("D", torch.empty([dModel], type, device).normal_(0, 0.1));
        log_dt = RegisterParameter("log_dt", torch.empty([dState], type, device).uniform_(Math.Log(dtMin), Math.Log(dtMax)));
    }

    /// <summary>The first <paramref name="columns"/> columns of <paramref name="m"/>, row-major, one real part of each.</summary>
    private static double[] Part(Complex[,] m, long columns, Func<Complex, double> part)
    {
        var rows = m.GetLength(0);
        var values = new double[rows * columns];
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < columns; c++)
            values[r * columns + c] = part(m[r, c]);
        return values;
    }

    // Named as lrnnx's attributes: these are the state-dict keys.
    public Tensor A { get; }        // (P, 2): Re Λ, Im Λ
    public Tensor B { get; }        // (P, H, 2)
    public Tensor C { get; }        // (H, P, 2)
    public Tensor D { get; }        // (H)
    public Tensor log_dt { get; }   // (P)

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new LtvCache(batch, maxSeqLen, [_dState], Precision.ComplexType(dtype), null, dtype, device);

    protected override Tensor Forward(Tensor x, MixerContext context, LtvCache? cache)
    {
        var s = Ssm(x.dtype);
        var u = Precision.Cast(x, s.Type);                                                   // (B, L, H)
        var timesteps = context.IntegrationTimesteps is { } t ? Precision.Cast(t, s.Type).unsqueeze(-1) : null;   // (B, L, 1)
        var discrete = Discretization.Apply(_discretization, s.Lambda, s.Delta, timesteps?.mul(s.Delta));
        var input = discrete.Gamma.mul(InputToState(u, s));                                  // (B, L, P)
        var decay = discrete.ABar.dim() == 1 ? discrete.ABar.view(1, 1, _dState) : discrete.ABar;
        var h = LtvScan.States(decay, input, context, cache);                               // (B, L, P)
        return ReadOut(h, u, s).to(x.dtype);
    }

    /// <summary>One token; in event mode with the step's <see cref="StepContext.IntegrationTimestep"/>.</summary>
    protected override Tensor StepToken(Tensor x, LtvCache cache, StepContext context)
    {
        var s = Ssm(x.dtype);
        var u = Precision.Cast(x, s.Type);                                                   // (B, H)
        var deltaA = context.IntegrationTimestep is { } t ? Precision.Cast(t, s.Type).view(-1, 1).mul(s.Delta) : null;
        var discrete = Discretization.Apply(_discretization, s.Lambda, s.Delta, deltaA);
        var h = discrete.ABar.mul(cache.State).add(discrete.Gamma.mul(InputToState(u, s)));     // (B, P)
        cache.Keep(h);
        return ReadOut(h, u, s).to(x.dtype);
    }

    /// <summary>The continuous-time system in the compute precision: Λ (P) complex, Δ (P), B̃ and C̃ as real/imaginary parts.</summary>
    private sealed record ContinuousSystem(ScalarType Type, Tensor Lambda, Tensor Delta, Tensor BRe, Tensor BIm, Tensor CRe, Tensor CIm, Tensor D);

    private ContinuousSystem Ssm(ScalarType modelType)
    {
        var type = Precision.ComputeType(modelType);
        var a = Precision.Cast(A, type);
        var b = Precision.Cast(B, type);
        var c = Precision.Cast(C, type);
        return new ContinuousSystem(type, torch.complex(a.select(-1, 0), a.select(-1, 1)), Precision.Cast(log_dt, type).exp().mul(_stepRescale),
            b.select(-1, 0), b.select(-1, 1), c.select(-1, 0), c.select(-1, 1), Precision.Cast(D, type));
    }

    /// <summary>u (..., H) real → B̃u (..., P) complex.</summary>
    private static Tensor InputToState(Tensor u, ContinuousSystem s) => ComplexProjection.In(u, s.BRe, s.BIm, s.Type);

    /// <summary>Re(C̃ h)·(2 if conj_sym) + D ⊙ u: h (..., P) complex → (..., H).</summary>
    private Tensor ReadOut(Tensor h, Tensor u, ContinuousSystem s)
    {
        var y = ComplexProjection.OutReal(h, s.CRe, s.CIm, s.Type);
        return (_conjSym ? y.mul(2.0) : y).add(u.mul(s.D));
    }
}
