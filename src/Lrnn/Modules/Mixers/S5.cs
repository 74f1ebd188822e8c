using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Modules.Lti;
using Lrnn.Torch;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// The linear time-invariant S5 (Smith et al. 2023, "Simplified State Space Layers for Sequence Modeling") that
/// lrnnx registers as "S5" (<c>lrnnx/models/lti/s5.py</c>): parameters, names, initialisation (S4D-Lin style, not
/// HiPPO) and post-processing are lrnnx's.
/// <code>
/// A = −softplus(A[:, 0]) + i·A[:, 1]          (N) complex; init −0.5 + iπn
/// Ā, γ = discretize(A, Δ = e^{log_dt})        (N) complex (see <see cref="Discretization"/>)
/// B̄ = γ ⊙ B                                   (N, H) complex, B real
/// h_t = Ā ⊙ h_{t−1} + B̄ u_t                  (B, N)
/// y_t = Re(C h_t) + u_t D,  C = C[..., 0] + i·C[..., 1]   (B, H); D (H, H) is a full matrix, applied as x @ D
/// </code>
/// Structurally the LRU with another parameterisation: the full-sequence path convolves B̄u with Ā^l = exp(l·log Ā)
/// by FFTs of length 2L, <see cref="Mixer.Step"/> runs the recurrence, and a prefill leaves the last convolved state
/// in the cache. The bilinear discretisation is the correct Tustin map, not lrnnx's inverted (unstable) one.
/// Inputs at t ≥ lengths[b] are zeroed first, as lrnnx's S4 does (lrnnx's S5 ignores lengths).
/// </summary>
public sealed class S5 : Mixer<ComplexStateCache>
{
    public static readonly MixerSchema Schema = new(
        new MixerKwarg("discretization", KwargKind.String) { Required = true, Choices = Discretization.Names },
        new MixerKwarg("conj_sym", KwargKind.Bool, false));

    /// <summary>lrnnx raises NotImplementedError for conj_sym=True; so does the configuration check here.</summary>
    public static IEnumerable<string> ModelProblems(LrnnConfig config, MixerArguments args)
    {
        if (args.GetBool("conj_sym"))
            yield return "S5: conj_sym=True is not implemented (lrnnx raises NotImplementedError too); use conj_sym=False";
    }

    private readonly long _dModel;
    private readonly long _dState;

    public override long DModel => _dModel;

    public S5(MixerSpec spec)
        : this(spec.Config.DModel, spec.Config.DState, Discretization.Parse(spec.Arguments.GetString("discretization")), spec.Dtype, spec.Device)
    {
        if (spec.Arguments.GetBool("conj_sym")) throw new NotSupportedException("S5: conj_sym=True is not implemented");
    }

    /// <summary>An S5 over d_model = <paramref name="dModel"/> features with <paramref name="dState"/> complex states.</summary>
    public S5(long dModel, long dState, DiscretizationMethod discretization, ScalarType? dtype = null, Device? device = null)
    {
        if (dModel <= 0 || dState <= 0) throw new ArgumentException($"d_model and d_state must be positive, got {dModel} and {dState}");
        _dModel = dModel;
        _dState = dState;
        Method = discretization;
        var type = dtype ?? ScalarType.Float32;

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // A[:, 0] = softplus⁻¹(0.5) = log(e^{0.5} − 1), so Re A = −0.5; A[:, 1] = πn.
        var aRe = torch.full([dState], Math.Log(Math.Exp(0.5) - 1), ScalarType.Float64, device);
        var aIm = torch.arange(dState, ScalarType.Float64, device).mul(Math.PI);
        A = RegisterParameter("A", torch.stack([aRe, aIm], -1).to(type));                                 // (N, 2)
        B = RegisterParameter("B", torch.full([dState, dModel], 1 / Math.Sqrt(dModel), type, device));   // (N, H)
        log_dt = RegisterParameter("log_dt", torch.linspace(Math.Log(1e-3), Math.Log(0.1), dState, ScalarType.Float64, device).to(type));
        C = RegisterParameter("C", torch.empty([dModel, dState, 2], type, device).normal_(0, Math.Sqrt(2.0 / dState)));
        D = RegisterParameter("D", torch.empty([dModel, dModel], type, device).normal_(0, Math.Sqrt(2.0 / dModel)));
    }

    public DiscretizationMethod Method { get; }

    // Named as lrnnx's attributes: these are the state-dict keys.
    public Tensor A { get; }         // (N, 2): softplus⁻¹(−Re A), Im A
    public Tensor B { get; }         // (N, H)
    public Tensor log_dt { get; }    // (N)
    public Tensor C { get; }         // (H, N, 2): Re C, Im C
    public Tensor D { get; }         // (H, H)

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new ComplexStateCache(batch, maxSeqLen, [_dState], dtype, device);

    protected override Tensor Forward(Tensor x, MixerContext context, ComplexStateCache? cache)
    {
        var length = x.size(1);

        var w = Derive(x);
        var u = Precision.Cast(LengthMask.Apply(x, context.Lengths, cache?.Position ?? 0), w.Type);                    // (B, L, H)
        var bu = InputToState(u, w);                                                    // (B, L, N) complex

        var states = DiagonalRecurrence.States(bu, w.LogABar, cache, context.Lengths);                  // (B, L, N)
        var y = ReadOut(states, u, w);                                                  // (B, L, H)
        return Precision.Cast(y, x.dtype);
    }

    protected override Tensor StepToken(Tensor x, ComplexStateCache cache, StepContext context)
    {
        var w = Derive(x);
        var u = Precision.Cast(x, w.Type);                                                        // (B, H)
        var h = DiagonalRecurrence.Step(InputToState(u, w), w.ABar, cache);                // (B, N)
        var y = ReadOut(h, u, w);                                                       // (B, H)
        return Precision.Cast(y, x.dtype);
    }

    /// <summary>
    /// The discretised system in the compute precision: float64 for float64 inputs, float32 otherwise (complex
    /// arithmetic in half precision is neither available nor accurate enough for Ā^l).
    /// </summary>
    private sealed record Derived(ScalarType Type, Tensor ABar, Tensor LogABar, Tensor BRe, Tensor BIm, Tensor CRe, Tensor CIm, Tensor D);

    /// <summary>Ā, log Ā (N); B̄ = γ ⊙ B (N, H) as real and imaginary parts; C (H, N) likewise; D. Call inside a dispose scope.</summary>
    private Derived Derive(Tensor x)
    {
        var type = Precision.ComputeType(x.dtype);
        var a = Precision.Cast(A, type);
        var aContinuous = torch.complex(torch.nn.functional.softplus(a.select(1, 0)).neg(), a.select(1, 1));   // (N)
        var discrete = Discretization.Apply(Method, aContinuous, Precision.Cast(log_dt, type).exp());
        var bBar = discrete.Gamma.unsqueeze(-1).mul(Precision.Cast(B, type));                                           // (N, H)
        var c = Precision.Cast(C, type);
        return new Derived(type, discrete.ABar, discrete.LogABar, bBar.real, bBar.imag, c.select(2, 0), c.select(2, 1), Precision.Cast(D, type));
    }

    /// <summary>u (..., H) real → B̄u (..., N) complex.</summary>
    private static Tensor InputToState(Tensor u, Derived w) => ComplexProjection.In(u, w.BRe, w.BIm, w.Type);

    /// <summary>Re(C h) + u D: h (..., N) complex, u (..., H) → (..., H), in the compute type.</summary>
    private static Tensor ReadOut(Tensor h, Tensor u, Derived w) =>
        ComplexProjection.OutReal(h, w.CRe, w.CIm, w.Type).add(Precision.Cast(u.matmul(w.D), w.Type));
}
