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
/// The Real-Gated Linear Recurrent Unit of Griffin/Hawk (De et al. 2024, arXiv 2402.19427) as lrnnx's
/// <c>lrnnx/models/ltv/rglru.py</c>: its state-dict keys and its forward function, so its checkpoints load.
/// <code>
/// g   = GELU(gate_proj(u))                       exact (erf) GELU           (B, L, E), E = expand·H
/// x   = conv1d(in_proj(u))                       causal, depthwise, no activation
/// r_t = σ(W_r x_t + b_r),  i_t = σ(W_i x_t + b_i)
/// a_t = σ(a_log)^{c·r_t}                         c = 8
/// h_t = a_t ⊙ h_{t−1} + √(1 − a_t²) ⊙ (i_t ⊙ x_t)
/// out = out_proj(g ⊙ h)
/// </code>
/// The recurrence runs as one <see cref="ops.linear_scan"/> over L, in log space for the decay:
/// log a_t = −c·r_t·softplus(−a_log) and √(1 − a_t²) = √(−expm1(2 log a_t)), accurate as a_t → 1.
/// <para><b>Initialisation.</b> lrnnx draws a_log = log U(0.9, 0.999) but then uses a = σ(a_log), which puts a in
/// [0.474, 0.4998] (lrnnx models/ltv/rglru.py, lines 117 and 164) against its own docstring and the paper. We draw
/// a_log = logit(U(0.9, 0.999)), so that σ(a_log) — lrnnx's forward function, kept — lies in [0.9, 0.999] as
/// Griffin intends (its Appendix A: a^c uniform in [0.9^c, 0.999^c] would differ only in the draw's distribution).
/// Long memory at initialisation is the point of the recurrence; checkpoints are unaffected (they carry a_log).</para>
/// </summary>
public sealed class RgLru : Mixer<LtvCache>
{
    public static readonly MixerSchema Schema = new(
        new MixerKwarg("d_conv", KwargKind.Int, 4),
        new MixerKwarg("expand", KwargKind.Int, 1),
        new MixerKwarg("c", KwargKind.Float, 8.0),
        new MixerKwarg("conv_bias", KwargKind.Bool, true),
        new MixerKwarg("bias", KwargKind.Bool, false),
        new MixerKwarg("use_fast_path", KwargKind.Bool, true));

    /// <summary>Range checks of the RGLRU kwargs (registered with the schema).</summary>
    public static IEnumerable<string> ModelProblems(LrnnConfig config, MixerArguments args)
    {
        if (args.GetInt("d_conv") < 1) yield return $"RGLRU: d_conv must be at least 1, got {args.GetInt("d_conv")}";
        if (args.GetInt("expand") < 1) yield return $"RGLRU: expand must be at least 1, got {args.GetInt("expand")}";
        if (!(args.GetDouble("c") > 0)) yield return $"RGLRU: c must be positive, got {args.GetDouble("c")}";
    }

    private readonly long _dModel;
    private readonly long _dInner;
    private readonly double _c;

    public override long DModel => _dModel;

    public RgLru(MixerSpec spec)
        : this(spec.Config.DModel, spec.Arguments.GetInt("d_conv"), spec.Arguments.GetInt("expand"), spec.Arguments.GetDouble("c"),
               aMin: 0.9, aMax: 0.999, spec.Arguments.GetBool("conv_bias"), spec.Arguments.GetBool("bias"), spec.Dtype, spec.Device)
    {
    }

    /// <summary>An RG-LRU over <paramref name="dModel"/> features with expand·d_model channels; σ(a_log) ~ U(aMin, aMax).</summary>
    public RgLru(long dModel, long dConv = 4, long expand = 1, double c = 8.0, double aMin = 0.9, double aMax = 0.999,
        bool convBias = true, bool bias = false, ScalarType? dtype = null, Device? device = null)
    {
        if (dModel <= 0 || dConv <= 0 || expand <= 0) throw new ArgumentException($"RGLRU: d_model, d_conv and expand must be positive, got {dModel}, {dConv}, {expand}");
        if (!(0 < aMin && aMin < aMax && aMax < 1)) throw new ArgumentException($"RGLRU needs 0 < aMin < aMax < 1, got {aMin}, {aMax}");
        _dModel = dModel;
        _dInner = expand * dModel;
        _c = c;
        gate_proj = RegisterModule("gate_proj", new Linear(dModel, _dInner, bias, dtype, device));
        in_proj = RegisterModule("in_proj", new Linear(dModel, _dInner, bias, dtype, device));
        conv1d = RegisterModule("conv1d", new Conv1d(_dInner, _dInner, dConv, groups: _dInner, bias: convBias, dtype: dtype, device: device));
        recurrent_gate_proj = RegisterModule("recurrent_gate_proj", new Linear(_dInner, _dInner, bias: true, dtype, device));
        input_gate_proj = RegisterModule("input_gate_proj", new Linear(_dInner, _dInner, bias: true, dtype, device));
        using (var scope = torch.NewDisposeScope())
        {
            var a = torch.empty([_dInner, 1], ScalarType.Float64, device).uniform_(aMin, aMax);
            a_log = RegisterParameter("a_log", a.div(1.0 - a).log().to(dtype ?? ScalarType.Float32));   // logit(a)
        }
        out_proj = RegisterModule("out_proj", new Linear(_dInner, dModel, bias, dtype, device));
    }

    // Named as lrnnx's attributes: these are the state-dict keys.
    public Linear gate_proj { get; }
    public Linear in_proj { get; }
    public Conv1d conv1d { get; }
    public Linear recurrent_gate_proj { get; }
    public Linear input_gate_proj { get; }
    public Tensor a_log { get; }          // (E, 1): σ(a_log) is the decay base a
    public Linear out_proj { get; }

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new LtvCache(batch, maxSeqLen, [_dInner], Precision.ComputeType(dtype), [_dInner, conv1d.kernel_size], dtype, device);

    protected override Tensor Forward(Tensor x, MixerContext context, LtvCache? cache)
    {
        var gate = gelu(gate_proj.call(x));                                                              // (B, L, E)
        var convolved = CausalDepthwiseConv.Forward(in_proj.call(x).transpose(1, 2), conv1d, cache?.ConvState, context.Lengths, cache?.Position ?? 0);
        var (decay, input) = Gates(convolved.transpose(1, 2));                                           // (B, L, E) each
        var h = LtvScan.States(decay, input, context, cache);                                            // (B, L, E)
        return out_proj.call(gate.mul(h.to(gate.dtype)));
    }

    protected override Tensor StepToken(Tensor x, LtvCache cache, StepContext context)
    {
        var gate = gelu(gate_proj.call(x));                                                              // (B, E)
        var (decay, input) = Gates(CausalDepthwiseConv.Step(in_proj.call(x), conv1d, cache.ConvState!));
        var h = decay.mul(cache.State).add(input);                                                       // (B, E)
        cache.Keep(h);
        return out_proj.call(gate.mul(h.to(gate.dtype)));
    }

    /// <summary>
    /// The convolved input x (..., E) → the recurrence's decay a_t and input √(1 − a_t²)·i_t·x_t, both (..., E) in the
    /// compute precision. Call inside a dispose scope.
    /// </summary>
    private (Tensor Decay, Tensor Input) Gates(Tensor x)
    {
        var type = Precision.ComputeType(x.dtype);
        var r = Precision.Cast(recurrent_gate_proj.call(x).sigmoid(), type);
        var i = Precision.Cast(input_gate_proj.call(x).sigmoid(), type);
        // log a_t = c·r_t·log σ(a_log) = −c·r_t·softplus(−a_log).
        var logDecay = r.mul(softplus(Precision.Cast(a_log, type).squeeze(-1).neg())).mul(-_c);
        var scale = logDecay.mul(2).expm1().neg().sqrt();                                                // √(1 − a_t²)
        return (logDecay.exp(), scale.mul(i).mul(Precision.Cast(x, type)));
    }
}
