using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Modules.Lti;
using Lrnn.Torch;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// Centaurus (Pei 2025, "Let SSMs be ConvNets"), as lrnnx's <c>lrnnx/models/lti/centaurus.py</c>: one class per
/// <see cref="CentaurusMode"/> (<see cref="Create"/> is lrnnx's factory), parameters, names and initialisation as
/// lrnnx's. Every state n has M sub-states with their own complex eigenvalues A (N, M) and one shared step δ_n:
/// <code>
/// Ā = exp(δ_n A_nm)                              (N, M) complex; A init −0.5 + i·mπ/M, δ = e^{log_delta}
/// v_t = B̄ u_t                                    (B, N) real, B̄ = δ ⊙ B (an Euler input scaling, not ZOH)
/// s_t = Ā ⊙ s_{t−1} + v_t (broadcast over m)      (B, N, M) complex
/// y_t = C (Σ_m E_nm Re s_t,nm)                    (B, H); no D skip, no activation
/// </code>
/// B and C depend on the mode (dense, diagonal, or scattered scalars: see the subclasses). The pointwise mode has
/// no E: its N·M sub-states are independent lanes read directly, which is the same maths with N·M lanes of one
/// sub-state each and E = 1; this class runs every mode that way, over "lanes" P (N, or N·M) of M' sub-states.
/// <para>
/// The full-sequence path convolves v with the real kernel K_l,p = Σ_m E_pm Re(Ā_pm^l), Ā^l = exp(l·log Ā), by
/// real FFTs of length 2L. A prefill also computes the complex state s_L = Σ_s Ā^{L−1−s} v_s (a batched matmul over
/// L), which the convolution of the E-mixed real parts does not give. Inputs at t ≥ lengths[b] are zeroed first,
/// as lrnnx's S4 does (lrnnx's Centaurus ignores lengths). The discretization kwarg is accepted and unused, as in lrnnx.
/// </para>
/// </summary>
public abstract class Centaurus : Mixer<ComplexStateCache>
{
    public static readonly MixerSchema Schema = new(
        new MixerKwarg("sub_state_dim", KwargKind.Int) { Required = true },
        new MixerKwarg("discretization", KwargKind.String, "zoh") { Choices = ["zoh", "bilinear", "dirac", "async", "no_discretization"] },
        new MixerKwarg("mode", KwargKind.String, "neck") { Choices = CentaurusModes.Names });

    /// <summary>sub_state_dim ≥ 1 and the d_state each mode needs.</summary>
    public static IEnumerable<string> ModelProblems(LrnnConfig config, MixerArguments args)
    {
        var subStates = args.GetInt("sub_state_dim");
        if (subStates <= 0) yield return $"Centaurus: sub_state_dim must be positive, got {subStates}";
        if (CentaurusModes.StateSizeProblem(CentaurusModes.Parse(args.GetString("mode")), config.DModel, config.DState) is { } problem)
            yield return problem;
    }

    /// <summary>The mode's class for layer spec <paramref name="spec"/> (lrnnx's <c>Centaurus.__new__</c>).</summary>
    public static Centaurus Create(MixerSpec spec)
    {
        var (h, n, m) = (spec.Config.DModel, spec.Config.DState, spec.Arguments.GetInt("sub_state_dim"));
        return CentaurusModes.Parse(spec.Arguments.GetString("mode")) switch
        {
            CentaurusMode.Neck => new CentaurusNeck(h, n, m, spec.Dtype, spec.Device),
            CentaurusMode.Pointwise => new CentaurusPointwise(h, n, m, spec.Dtype, spec.Device),
            CentaurusMode.Dws => new CentaurusDws(h, n, m, spec.Dtype, spec.Device),
            _ => new CentaurusFull(h, n, m, spec.Dtype, spec.Device),
        };
    }

    /// <summary>A, E (when <paramref name="mixesSubStates"/>; false for the pointwise mode, whose N·M sub-states are lanes) and log_delta, as lrnnx.</summary>
    protected Centaurus(CentaurusMode mode, long dModel, long dState, long subStateDim, bool mixesSubStates, ScalarType? dtype, Device? device)
    {
        if (dModel <= 0 || dState <= 0 || subStateDim <= 0)
            throw new ArgumentException($"d_model, d_state and sub_state_dim must be positive, got {dModel}, {dState} and {subStateDim}");
        if (CentaurusModes.StateSizeProblem(mode, dModel, dState) is { } problem) throw new ArgumentException(problem);
        Mode = mode;
        DModel = dModel;
        DState = dState;
        SubStateDim = subStateDim;
        var type = dtype ?? ScalarType.Float32;

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // A is a complex parameter, as lrnnx's (complex128 for a float64 model): Re −0.5, Im mπ/M, the same for every n.
        var aIm = torch.arange(subStateDim, ScalarType.Float64, device).mul(Math.PI / subStateDim).expand(dState, subStateDim);
        var a = torch.complex(torch.full([dState, subStateDim], -0.5, ScalarType.Float64, device), aIm);
        A = RegisterParameter("A", a.to(Precision.ComplexType(type)));                                           // (N, M)
        if (mixesSubStates)
            E = RegisterParameter("E", torch.empty([dState, subStateDim], type, device).normal_(0, Math.Sqrt(2)));
        // δ = logspace(−3, −1, N): log δ evenly spaced from ln 10⁻³ to ln 10⁻¹.
        log_delta = RegisterParameter("log_delta", torch.linspace(-3 * Math.Log(10), -Math.Log(10), dState, ScalarType.Float64, device).to(type));
    }

    public CentaurusMode Mode { get; }
    public override long DModel { get; }
    public long DState { get; }
    public long SubStateDim { get; }

    // Named as lrnnx's attributes: these are the state-dict keys (the modes add B and C).
    public Tensor A { get; }             // (N, M) complex
    public Tensor? E { get; }            // (N, M); none in the pointwise mode
    public Tensor log_delta { get; }     // (N)

    /// <summary>Lanes of the recurrence: N, or N·M independent ones in the pointwise mode.</summary>
    private long Lanes => E is null ? DState * SubStateDim : DState;

    /// <summary>Sub-states per lane: M, or 1 in the pointwise mode.</summary>
    private long SubStatesPerLane => E is null ? 1 : SubStateDim;

    /// <summary>u (..., H) → v = B̄u (..., P) real, in u's precision; <paramref name="delta"/> (N) is δ in that precision.</summary>
    protected abstract Tensor Lift(Tensor u, Tensor delta);

    /// <summary>z (..., P) real (the E-mixed real parts of the state) → y (..., H).</summary>
    protected abstract Tensor Project(Tensor z);

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new ComplexStateCache(batch, maxSeqLen, [Lanes, SubStatesPerLane], dtype, device);

    protected override Tensor Forward(Tensor x, MixerContext context, ComplexStateCache? cache)
    {
        var length = x.size(1);

        var w = Derive(x);
        var u = Precision.Cast(LengthMask.Apply(x, context.Lengths, cache?.Position ?? 0), w.Type);                  // (B, L, H)
        var v = Lift(u, w.Delta);                                                       // (B, L, P)

        var l = torch.arange(length, w.Type, x.device).view(length, 1, 1);              // (L, 1, 1)
        var powers = l.mul(w.LogABar).exp();                                            // (L, P, M'): Ā^l
        var kernel = Mix(powers.real, w);                                               // (L, P)
        var z = FftConvolution.Causal(v, kernel.unsqueeze(0), dim: 1);                  // (B, L, P)

        if (cache is not null && cache.Position > 0)
        {
            // Continuing a prefilled cache: z_t also holds Σ_m E Re(Ā^{t+1} s_0) of the state before this input.
            var weighted = powers.mul(w.ABar);                                          // (L, P, M'): Ā^{l+1}
            if (w.E is not null) weighted = weighted.mul(w.E);
            var carry = weighted.permute(1, 0, 2).bmm(cache.State.permute(1, 2, 0));   // (P, L, B)
            z = z.add(carry.real.permute(2, 1, 0));
        }

        var y = Project(z);                                                             // (B, L, H)
        if (cache is not null)
        {
            using (torch.no_grad())
            {
                // s_n = Ā^n s_0 + Σ_{s<n} Ā^{n−1−s} v_s at each row's n valid tokens (right-aligned, they end at L − 1):
                // one matmul over L per lane.
                var counts = LengthMask.Counts(context.Lengths, x.size(0), length, cache.Position, x.device);   // (B)
                var ends = context.Lengths is null ? v : LengthMask.RightAlign(v, counts);
                var reversed = powers.flip(0).permute(1, 0, 2);                         // (P, L, M'): Ā^{L−1−s}
                var fed = ends.to(reversed.dtype).permute(2, 0, 1).bmm(reversed);       // (P, B, M')
                var carried = counts.to(w.Type).view(-1, 1, 1).mul(w.LogABar).exp();   // (B, P, M'): Ā^n
                cache.State.copy_(fed.permute(1, 0, 2).add(carried.mul(cache.State)));
            }
        }
        return Precision.Cast(y, x.dtype);
    }

    protected override Tensor StepToken(Tensor x, ComplexStateCache cache, StepContext context)
    {
        var w = Derive(x);
        var u = Precision.Cast(x, w.Type);                                                      // (B, H)
        var s = w.ABar.mul(cache.State).add(Lift(u, w.Delta).unsqueeze(-1));            // (B, P, M')
        var y = Project(Mix(s.real, w));                                                // (B, H)
        cache.Keep(s);
        return Precision.Cast(y, x.dtype);
    }

    /// <summary>
    /// δ (N), log Ā = δA and Ā (P, M') complex, E (P, M') or null, in the compute precision: float64 for float64
    /// inputs, float32/complex64 otherwise (as lrnnx, whose kernels are complex64 whatever the model's dtype).
    /// </summary>
    private sealed record Derived(ScalarType Type, Tensor Delta, Tensor LogABar, Tensor ABar, Tensor? E);

    /// <summary>Call inside a dispose scope.</summary>
    private Derived Derive(Tensor x)
    {
        var type = Precision.ComputeType(x.dtype);
        var delta = Precision.Cast(log_delta, type).exp();                                      // (N)
        var logABar = Precision.Cast(A, Precision.ComplexType(type)).mul(delta.unsqueeze(-1));            // (N, M)
        if (E is null) logABar = logABar.reshape(Lanes, 1);                             // (N·M, 1): n-major, as lrnnx's flattening
        return new Derived(type, delta, logABar, logABar.exp(), E is null ? null : Precision.Cast(E, type));
    }

    /// <summary>r (..., P, M') real → Σ_m E_pm r_pm (..., P); the pointwise mode's single sub-state is read as is.</summary>
    private static Tensor Mix(Tensor r, Derived w) => w.E is null ? r.squeeze(-1) : r.mul(w.E).sum(-1);
}
