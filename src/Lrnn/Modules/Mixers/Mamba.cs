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
/// Mamba's selective SSM block (Gu and Dao 2023, arXiv 2312.00752) as lrnnx's <c>lrnnx/models/ltv/mamba.py</c>, with
/// its keys, kwargs, initialisation, four discretisations and event mode:
/// <code>
/// x, z = in_proj(u)                                   (B, L, E) each, E = expand·H
/// x = SiLU(conv1d(x))                                 causal depthwise, d_conv taps
/// [dt_low (R) | B (N) | C (N)] = x_proj(x)
/// Δ = softplus(dt_proj(dt_low) + b_dt),  A = −e^{A_log} (E, N)
/// mamba: Ā = e^{ΔA}, B̄ = ΔB;  zoh: B̄ = (e^{ΔA} − 1)/A·B;  bilinear: Ā = (1 + ΔA/2)/(1 − ΔA/2), B̄ = ΔB/(1 − ΔA/2);  dirac: B̄ = B
/// h_t = Ā_t ⊙ h_{t−1} + B̄_t x_t                        (B, E, N)
/// y = (C_t·h_t + D ⊙ x_t) ⊙ SiLU(z_t);  out = out_proj(y)
/// </code>
/// Event mode (integration timesteps τ (B, L)): Ā uses Δ_A = τ·softplus(dtA_proj.bias) (input-independent, as lrnnx;
/// dtA_proj.weight exists only for its checkpoints), B̄ keeps Δ. The full-sequence path is one
/// <c>ops.selective_scan</c> (never the (B, L, E, N) states for backward); <see cref="Mixer.Step"/> updates
/// the (B, E, N) state directly.
/// </summary>
public sealed class Mamba : Mixer<LtvCache>
{
    public static readonly string[] Discretizations = ["mamba", "zoh", "bilinear", "dirac"];

    public static readonly MixerSchema Schema = new(
        new MixerKwarg("d_conv", KwargKind.Int, 4),
        new MixerKwarg("expand", KwargKind.Int, 2),
        new MixerKwarg("dt_rank", KwargKind.String, "auto"),
        new MixerKwarg("dt_min", KwargKind.Float, 0.001),
        new MixerKwarg("dt_max", KwargKind.Float, 0.1),
        new MixerKwarg("dt_init", KwargKind.String, "random") { Choices = ["random", "constant"] },
        new MixerKwarg("dt_scale", KwargKind.Float, 1.0),
        new MixerKwarg("dt_init_floor", KwargKind.Float, 1e-4),
        new MixerKwarg("conv_bias", KwargKind.Bool, true),
        new MixerKwarg("bias", KwargKind.Bool, false),
        new MixerKwarg("use_fast_path", KwargKind.Bool, true),
        new MixerKwarg("discretization", KwargKind.String, "mamba") { Choices = Discretizations },
        new MixerKwarg("event_mode", KwargKind.Bool, false));

    /// <summary>Range checks of the Mamba kwargs (registered with the schema).</summary>
    public static IEnumerable<string> ModelProblems(LrnnConfig config, MixerArguments args)
    {
        if (args.GetInt("d_conv") < 1) yield return $"Mamba: d_conv must be at least 1, got {args.GetInt("d_conv")}";
        if (args.GetInt("expand") < 1) yield return $"Mamba: expand must be at least 1, got {args.GetInt("expand")}";
        var rank = args.GetString("dt_rank");
        if (rank != "auto" && !(long.TryParse(rank, out var r) && r > 0))
            yield return $"Mamba: dt_rank must be \"auto\" or a positive integer, got \"{rank}\"";
        var (dtMin, dtMax) = (args.GetDouble("dt_min"), args.GetDouble("dt_max"));
        if (!(0 < dtMin && dtMin <= dtMax)) yield return $"Mamba: needs 0 < dt_min ≤ dt_max, got dt_min={dtMin}, dt_max={dtMax}";
    }

    /// <summary>dt_rank "auto": ⌈d_model / 16⌉, as mamba_ssm and lrnnx.</summary>
    public static long AutoDtRank(long dModel) => (dModel + 15) / 16;

    private readonly long _dModel;
    private readonly long _dState;
    private readonly long _dInner;
    private readonly long _dtRank;
    private readonly string _discretization;

    public override long DModel => _dModel;

    public Mamba(MixerSpec spec)
        : this(spec.Config.DModel, spec.Config.DState, spec.Arguments.GetInt("d_conv"), spec.Arguments.GetInt("expand"),
               spec.Arguments.GetString("dt_rank") is var r && r != "auto" ? long.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : (long?)null,
               spec.Arguments.GetDouble("dt_min"), spec.Arguments.GetDouble("dt_max"), spec.Arguments.GetString("dt_init"),
               spec.Arguments.GetDouble("dt_scale"), spec.Arguments.GetDouble("dt_init_floor"), spec.Arguments.GetBool("conv_bias"),
               spec.Arguments.GetBool("bias"), spec.Arguments.GetString("discretization"), spec.Arguments.GetBool("event_mode"), spec.Dtype, spec.Device)
    {
    }

    /// <summary>
    /// A Mamba block with lrnnx's kwargs; a null <paramref name="dtRank"/> is ⌈d_model/16⌉ (lrnnx's "auto").
    /// <paramref name="eventMode"/> adds <c>dtA_proj</c>, which only integration timesteps use (lrnnx always has it,
    /// mamba_ssm never): without it the block has mamba_ssm's keys, and lrnnx's dtA_proj keys are accepted and ignored
    /// (<see cref="UnusedCheckpointKeys"/>).
    /// </summary>
    public Mamba(long dModel, long dState = 16, long dConv = 4, long expand = 2, long? dtRank = null, double dtMin = 0.001, double dtMax = 0.1,
        string dtInit = "random", double dtScale = 1.0, double dtInitFloor = 1e-4, bool convBias = true, bool bias = false,
        string discretization = "mamba", bool eventMode = false, ScalarType? dtype = null, Device? device = null)
    {
        if (dModel <= 0 || dState <= 0 || dConv <= 0 || expand <= 0)
            throw new ArgumentException($"Mamba: d_model, d_state, d_conv and expand must be positive, got {dModel}, {dState}, {dConv}, {expand}");
        if (!Discretizations.Contains(discretization))
            throw new ArgumentException($"Mamba: unknown discretization '{discretization}' (known: {string.Join(", ", Discretizations)})", nameof(discretization));
        if (dtInit is not ("random" or "constant")) throw new ArgumentException($"Mamba: dt_init must be \"random\" or \"constant\", got \"{dtInit}\"", nameof(dtInit));
        _dModel = dModel;
        _dState = dState;
        _dInner = expand * dModel;
        _dtRank = dtRank ?? AutoDtRank(dModel);
        _discretization = discretization;
        var type = dtype ?? ScalarType.Float32;

        in_proj = RegisterModule("in_proj", new Linear(dModel, 2 * _dInner, bias, dtype, device));
        conv1d = RegisterModule("conv1d", new Conv1d(_dInner, _dInner, dConv, groups: _dInner, bias: convBias, dtype: dtype, device: device));
        x_proj = RegisterModule("x_proj", new Linear(_dInner, _dtRank + 2 * dState, bias: false, dtype, device));
        dt_proj = RegisterModule("dt_proj", new TimestepProjection(_dtRank, _dInner, dtMin, dtMax, dtInit == "constant", dtScale, dtInitFloor, dtype, device));
        // lrnnx makes dtA_proj an nn.Linear, whose bias its language model then zeroes (only dt_proj.bias is marked
        // _no_reinit), so its Δ_A = τ·ln 2 ignores dt_min/dt_max. Its bias is a timestep initialisation like dt_proj's:
        // drawn the same way, and kept by the language model's re-initialisation (a TimestepProjection, not a Linear).
        if (eventMode)
            dtA_proj = RegisterModule("dtA_proj", new TimestepProjection(_dtRank, _dInner, dtMin, dtMax, constantInit: false, dtScale: 1.0, dtInitFloor, dtype, device));
        using (var scope = torch.NewDisposeScope())
            A_log = RegisterParameter("A_log", torch.arange(1, dState + 1, 1, ScalarType.Float64, device).log().unsqueeze(0).expand(_dInner, dState).to(type).contiguous());
        D = RegisterParameter("D", torch.ones([_dInner], type, device));
        out_proj = RegisterModule("out_proj", new Linear(_dInner, dModel, bias, dtype, device));
    }

    // Named as lrnnx's attributes: these are the state-dict keys.
    public Linear in_proj { get; }
    public Conv1d conv1d { get; }
    public Linear x_proj { get; }
    public TimestepProjection dt_proj { get; }
    public TimestepProjection? dtA_proj { get; }  // event mode only: only its bias is used (lrnnx's choice)
    public Tensor A_log { get; }         // (E, N): A = −e^{A_log}, S4D-real initialisation log(1..N)
    public Tensor D { get; }             // (E)
    public Linear out_proj { get; }

    /// <summary>lrnnx's dtA_proj keys, which a block without event mode accepts from a checkpoint and ignores.</summary>
    public override IReadOnlyList<string> UnusedCheckpointKeys => dtA_proj is null ? ["dtA_proj.weight", "dtA_proj.bias"] : [];

    /// <summary>softplus(dtA_proj.bias) (E) in <paramref name="type"/>: Δ_A per unit of integration time.</summary>
    private Tensor EventTimestep(ScalarType type) => softplus(Precision.Cast((dtA_proj ?? throw new ArgumentException(
        "Mamba: integration timesteps need event mode, which adds dtA_proj: set mixer_kwargs {\"Mamba\": {\"event_mode\": true}} " +
        "(or eventMode: true)")).bias, type));

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new LtvCache(batch, maxSeqLen, [_dInner, _dState], Precision.ComputeType(dtype), [_dInner, conv1d.kernel_size], dtype, device);

    protected override Tensor Forward(Tensor x, MixerContext context, LtvCache? cache)
    {
        var (batch, length) = (x.size(0), x.size(1));

        var type = Precision.ComputeType(x.dtype);
        var xz = in_proj.call(x).chunk(2, -1);                                                // (B, L, E) each
        var conv = CausalDepthwiseConv.Forward(xz[0].transpose(1, 2), conv1d, cache?.ConvState, context.Lengths, cache?.Position ?? 0);
        var u = silu(conv);                                                                   // (B, E, L)
        var parts = x_proj.call(u.transpose(1, 2)).split([_dtRank, _dState, _dState], -1);    // (B, L, ·)
        var dt = Precision.Cast(dt_proj.call(parts[0]), type).transpose(1, 2);                // (B, E, L), before bias and softplus
        var b = Precision.Cast(parts[1], type).transpose(1, 2);                               // (B, N, L)
        var c = Precision.Cast(parts[2], type).transpose(1, 2);                               // (B, N, L)
        var a = Precision.Cast(A_log, type).exp().neg();                                      // (E, N)
        var bias = Precision.Cast(dt_proj.bias, type);

        Tensor? deltaA = null;
        if (context.IntegrationTimesteps is { } t)                                            // Δ_A = τ·softplus(dtA bias)
            deltaA = Precision.Cast(t, type).unsqueeze(1).mul(EventTimestep(type).unsqueeze(-1));                 // (B, E, L)
        var masked = context.Lengths is not null || deltaA is not null;
        var delta = masked ? softplus(dt.add(bias.unsqueeze(-1))) : dt;
        if (context.Lengths is { } lengths)
        {
            // Padding: Δ = Δ_A = 0 gives Ā = 1 and B̄ = 0 in every discretisation but dirac, whose B̄ = B: zero B too.
            var valid = LengthMask.Valid(lengths, batch, length, cache?.Position ?? 0, x.device).unsqueeze(1);   // (B, 1, L)
            delta = torch.where(valid, delta, 0.0);
            deltaA = deltaA is null ? null : torch.where(valid, deltaA, 0.0);
            b = torch.where(valid, b, 0.0);
        }
        var (y, hLast) = ops.selective_scan(Precision.Cast(u, type), delta, a, b, c, Precision.Cast(D, type),
            z: Precision.Cast(xz[1], type).transpose(1, 2), deltaBias: masked ? null : bias, deltaSoftplus: !masked,
            h0: cache?.State, discretization: _discretization, deltaA: deltaA);               // (B, E, L), (B, E, N)
        if (cache is not null)
        {
            cache.Keep(hLast);
        }
        return out_proj.call(y.transpose(1, 2).to(x.dtype));
    }

    /// <summary>One token; in event mode with the step's <see cref="StepContext.IntegrationTimestep"/>.</summary>
    protected override Tensor StepToken(Tensor x, LtvCache cache, StepContext context)
    {
        var type = Precision.ComputeType(x.dtype);
        var xz = in_proj.call(x).chunk(2, -1);                                                // (B, E) each
        var u = silu(CausalDepthwiseConv.Step(xz[0], conv1d, cache.ConvState!));             // (B, E)
        var parts = x_proj.call(u).split([_dtRank, _dState, _dState], -1);
        var delta = softplus(Precision.Cast(dt_proj.call(parts[0]), type).add(Precision.Cast(dt_proj.bias, type))).unsqueeze(-1);   // (B, E, 1)
        var deltaA = context.IntegrationTimestep is { } t
            ? Precision.Cast(t, type).view(-1, 1, 1).mul(EventTimestep(type).unsqueeze(-1))                                       // (B, E, 1)
            : delta;
        var a = Precision.Cast(A_log, type).exp().neg();                                      // (E, N)
        var b = Precision.Cast(parts[1], type).unsqueeze(1);                                  // (B, 1, N)
        var uc = Precision.Cast(u, type);
        var (decay, inputScale) = Discretize(deltaA.mul(a), delta, a);                        // (B, E, N) each
        var h = decay.mul(cache.State).add(inputScale.mul(b).mul(uc.unsqueeze(-1)));          // (B, E, N)
        cache.Keep(h);
        var c = Precision.Cast(parts[2], type).unsqueeze(-1);                                 // (B, N, 1)
        var y = h.matmul(c).squeeze(-1).add(uc.mul(Precision.Cast(D, type)));                 // (B, E)
        y = y.mul(silu(Precision.Cast(xz[1], type)));
        return out_proj.call(y.to(x.dtype));
    }

    /// <summary>Ā from Δ_A·A, and the factor of B in B̄ from Δ and A, for the step path (the scan discretises itself).</summary>
    private (Tensor Decay, Tensor InputScale) Discretize(Tensor deltaAA, Tensor delta, Tensor a) => _discretization switch
    {
        "mamba" => (deltaAA.exp(), delta.expand(deltaAA.shape)),
        "zoh" => (deltaAA.exp(), delta.mul(a).expm1().div(a)),
        "bilinear" => (deltaAA.mul(0.5).add(1.0).div(1.0 - deltaAA.mul(0.5)), delta.div(1.0 - delta.mul(a).mul(0.5))),
        _ => (deltaAA.exp(), torch.ones_like(deltaAA)),                                       // dirac
    };
}
