using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Modules.Lti;
using Lrnn.Modules.Ltv;
using Lrnn.Ops;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using static Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// S7 (Soydan et al. 2024, "S7: Selective and Simplified State Space Layers", arXiv 2410.03464) as lrnnx's
/// <c>lrnnx/models/ltv/s7.py</c>: keys, initialisation and forward function are lrnnx's. Every SSM quantity depends on
/// the input; the state is real, (B, N).
/// <code>
/// x = in_proj(u)                                                          (B, L, H)
/// [A_raw (N) | B (H·N) | C (H·N) | D (H) | bias (N)] = x_proj(x)          flat index of B and C: h·N + n
/// Ā_t = 1 − 1/((A_raw,t + base)² + 0.5)                                    in [−1, 1): stable for any input
/// h_t = Ā_t ⊙ h_{t−1} + B_tᵀ x_t + bias_t                                  (B, N)
/// y_t = C_t h_t + D_t ⊙ x_t                                               (B, H)
/// out = σ(gate_proj(GELU(y))) ⊙ y + u                                     the mixer's own residual
/// </code>
/// base_params are all −0.5 (the real part of HiPPO-N's eigenvalues kept by a complex-to-float cast in lrnnx models/ltv/s7.py, `_init_weights`), so Ā ≈ −1/3 at
/// initialisation; x_proj ~ N(0, 0.02²). The recurrence is one <see cref="ops.linear_scan"/> over L.
/// </summary>
public sealed class S7 : Mixer<LtvCache>
{
    public static readonly MixerSchema Schema = new(
        new MixerKwarg("J", KwargKind.Int, 1),
        new MixerKwarg("use_fast_path", KwargKind.Bool, true));

    /// <summary>d_state must split into J blocks (registered with the schema).</summary>
    public static IEnumerable<string> ModelProblems(LrnnConfig config, MixerArguments args)
    {
        var j = args.GetInt("J");
        if (j < 1 || config.DState % j != 0) yield return $"S7: J must be a positive divisor of d_state ({config.DState}), got {j}";
    }

    private readonly long _dModel;
    private readonly long _dState;

    public override long DModel => _dModel;

    public S7(MixerSpec spec) : this(spec.Config.DModel, spec.Config.DState, spec.Dtype, spec.Device)
    {
    }

    public S7(long dModel, long dState, ScalarType? dtype = null, Device? device = null)
    {
        if (dModel <= 0 || dState <= 0) throw new ArgumentException($"S7: d_model and d_state must be positive, got {dModel} and {dState}");
        _dModel = dModel;
        _dState = dState;
        in_proj = RegisterModule("in_proj", new Linear(dModel, dModel, bias: false, dtype, device));
        base_params = RegisterParameter("base_params", torch.full([dState], -0.5, dtype ?? ScalarType.Float32, device));
        x_proj = RegisterModule("x_proj", new Linear(dModel, 2 * dState + 2 * dModel * dState + dModel, bias: false, dtype, device));
        using (torch.no_grad()) x_proj.weight.normal_(0, 0.02);
        gate_proj = RegisterModule("gate_proj", new Linear(dModel, dModel, bias: false, dtype, device));
    }

    // Named as lrnnx's attributes: these are the state-dict keys.
    public Linear in_proj { get; }
    public Tensor base_params { get; }   // (N)
    public Linear x_proj { get; }
    public Linear gate_proj { get; }

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new LtvCache(batch, maxSeqLen, [_dState], Precision.ComputeType(dtype), null, dtype, device);

    protected override Tensor Forward(Tensor x, MixerContext context, LtvCache? cache)
    {
        var p = Project(x);                                                                   // (B, L, ·)
        return ReadOut(LtvScan.States(p.Decay, p.Input, context, cache), p, x);             // h (B, L, N)
    }

    protected override Tensor StepToken(Tensor x, LtvCache cache, StepContext context)
    {
        var p = Project(x);                                                                   // (B, ·)
        var h = p.Decay.mul(cache.State).add(p.Input);                                           // (B, N)
        cache.Keep(h);
        return ReadOut(h, p, x);
    }

    /// <summary>The input-dependent SSM of tokens u (..., H), in the compute precision.</summary>
    private sealed record Projection(Tensor X, Tensor Decay, Tensor Input, Tensor C, Tensor D);

    /// <summary>u (..., H) → x, Ā (..., N), Bᵀx + bias (..., N), C (..., H, N), D (..., H). Call inside a dispose scope.</summary>
    private Projection Project(Tensor u)
    {
        var type = Precision.ComputeType(u.dtype);
        var x = in_proj.call(u);
        var parts = Precision.Cast(x_proj.call(x), type).split([_dState, _dModel * _dState, _dModel * _dState, _dModel, _dState], -1);
        var xc = Precision.Cast(x, type);
        var a = parts[0].add(Precision.Cast(base_params, type));
        var decay = 1.0 - a.square().add(0.5).reciprocal();                                   // Ā = 1 − 1/(A² + 0.5)
        var b = parts[1].unflatten(-1, _dModel, _dState);                                     // (..., H, N)
        var input = torch.einsum("...hn,...h->...n", b, xc).add(parts[4]);
        return new Projection(xc, decay, input, parts[2].unflatten(-1, _dModel, _dState), parts[3]);
    }

    /// <summary>h (..., N) → σ(gate_proj(GELU(y))) ⊙ y + u with y = C h + D ⊙ x, in u's dtype.</summary>
    private Tensor ReadOut(Tensor h, Projection p, Tensor u)
    {
        var y = torch.einsum("...hn,...n->...h", p.C, h).add(p.D.mul(p.X)).to(u.dtype);      // (..., H)
        return gate_proj.call(gelu(y)).sigmoid().mul(y).add(u);
    }
}
