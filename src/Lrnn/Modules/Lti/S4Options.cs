using Lrnn.Config;

namespace Lrnn.Modules.Lti;

/// <summary>
/// The keyword arguments of lrnnx's S4 and S4D (<c>lrnnx/models/lti/s4.py</c>, <c>s4d.py</c>) with their defaults,
/// plus the extra kwargs they forward to the DPLR initialisation. Two defaults differ on purpose: inside a language
/// model the input is (B, L, H), so <c>transposed</c> must be false (lrnnx's default, true, silently reads the
/// sequence as channels); it is false here and true is rejected.
/// </summary>
public sealed record S4Options
{
    /// <summary>"glu" (the default), "id" or any other string: Linear + GELU (lrnnx builds the same layer for all); null: no output_linear.</summary>
    public string? FinalAct { get; init; } = "glu";
    public double Dropout { get; init; }
    /// <summary>Kernel length cap: taps beyond l_max are zero (S4: also the first length the kernel is set up for). Null: the sequence length.</summary>
    public long? LMax { get; init; }
    public long Channels { get; init; } = 1;
    public double DtMin { get; init; } = 0.001;
    public double DtMax { get; init; } = 0.1;
    public bool DtTie { get; init; } = true;
    public string DtTransform { get; init; } = "exp";
    public bool DtFast { get; init; }
    public long Rank { get; init; } = 1;
    /// <summary>Independent SSMs, shared by the d_model / n_ssm features of each group (null: one per feature).</summary>
    public long? NSsm { get; init; }
    public string Init { get; init; } = "legs";
    public bool Deterministic { get; init; }
    public string RealTransform { get; init; } = "exp";
    public string ImagTransform { get; init; } = "none";
    public bool SwapChannels { get; init; }
    public double DropKernel { get; init; }
    /// <summary>S4D only: "zoh" or "bilinear".</summary>
    public string Disc { get; init; } = "zoh";
    public S4InitOptions InitOptions { get; init; } = new();


    /// <summary>The schema shared by S4 and S4D; <paramref name="withDisc"/> adds S4D's <c>disc</c>.</summary>
    public static MixerSchema Schema(bool withDisc)
    {
        var kwargs = new List<MixerKwarg>
        {
            new("bottleneck", KwargKind.Int) { Nullable = true },
            new("gate", KwargKind.Int) { Nullable = true },
            new("final_act", KwargKind.String, "glu") { Nullable = true },
            new("postact", KwargKind.String) { Nullable = true },
            new("dropout", KwargKind.Float, 0.0),
            new("tie_dropout", KwargKind.Bool, false),
            new("transposed", KwargKind.Bool, false),
            new("l_max", KwargKind.Int) { Nullable = true },
            new("channels", KwargKind.Int, 1),
            new("dt_min", KwargKind.Float, 0.001),
            new("dt_max", KwargKind.Float, 0.1),
            new("dt_tie", KwargKind.Bool, true),
            new("dt_transform", KwargKind.String, "exp") { Choices = S4Transform.Names },
            new("dt_fast", KwargKind.Bool, false),
            new("rank", KwargKind.Int, 1),
            new("n_ssm", KwargKind.Int) { Nullable = true },
            new("init", KwargKind.String, "legs"),
            new("deterministic", KwargKind.Bool, false),
            new("real_transform", KwargKind.String, "exp") { Choices = S4Transform.Names },
            new("imag_transform", KwargKind.String, "none") { Choices = S4Transform.Names },
            new("is_real", KwargKind.Bool, false),
            new("lr", KwargKind.Float) { Nullable = true },
            new("wd", KwargKind.Float, 0.0),
            new("verbose", KwargKind.Bool, true),
            new("swap_channels", KwargKind.Bool, false),
            new("drop_kernel", KwargKind.Float, 0.0),
            new("real_random", KwargKind.Bool, false),
            new("real_scale", KwargKind.Float, 1.0),
            new("imag_random", KwargKind.Bool, false),
            new("imag_scale", KwargKind.Float, 1.0),
            new("B_init", KwargKind.String, "constant") { Choices = ["constant", "random", "alternating", "unit-cw", "unit-ccw", "legs", "hippo"] },
            new("B_scale", KwargKind.Float, 1.0),
            new("P_scale", KwargKind.Float, 1.0),
            new("normalize", KwargKind.Bool, false),
        };
        if (withDisc) kwargs.Add(new MixerKwarg("disc", KwargKind.String, "zoh") { Choices = ["zoh", "bilinear"] });
        return new MixerSchema([.. kwargs]);
    }

    /// <summary>The kwargs lrnnx accepts but this port does not implement (or that are wrong inside a language model), one message each.</summary>
    public static IEnumerable<string> Problems(string mixer, LrnnConfig config, MixerArguments args)
    {
        if (args.GetBool("transposed"))
            yield return $"{mixer}: transposed=true reads the (B, L, H) input of a language model as (B, H, L) (lrnnx's default, a trap); leave it out or set false";
        foreach (var name in new[] { "bottleneck", "gate" })
            if (args.GetIntOrNull(name) is not null) yield return $"{mixer}: '{name}' is not supported (leave it null)";
        if (args.GetStringOrNull("postact") is not null) yield return $"{mixer}: 'postact' is deprecated in lrnnx; use final_act";
        if (args.GetBool("tie_dropout")) yield return $"{mixer}: tie_dropout=true is not supported";
        if (args.GetBool("is_real")) yield return $"{mixer}: is_real=true is not supported";
        if (config.DState < 2 || config.DState % 2 != 0) yield return $"{mixer}: d_state must be even (N/2 conjugate pairs), got {config.DState}";
        var nSsm = args.GetIntOrNull("n_ssm") ?? config.DModel;
        if (nSsm <= 0 || config.DModel % nSsm != 0) yield return $"{mixer}: n_ssm ({nSsm}) must divide d_model ({config.DModel})";
        if (!S4Initialization.IsKnown(args.GetString("init"))) yield return $"{mixer}: unknown init '{args.GetString("init")}'";
        if (args.GetInt("rank") < 1) yield return $"{mixer}: rank must be ≥ 1";
        if (args.GetInt("channels") < 1) yield return $"{mixer}: channels must be ≥ 1";
        if (args.GetIntOrNull("l_max") is <= 0) yield return $"{mixer}: l_max must be positive or null";
        if (!(args.GetDouble("dt_min") > 0 && args.GetDouble("dt_min") <= args.GetDouble("dt_max")))
            yield return $"{mixer}: needs 0 < dt_min ≤ dt_max";
        if (args.GetBool("deterministic") && !(args.GetBool("dt_tie") && args.GetString("dt_transform") == "exp"))
            yield return $"{mixer}: deterministic=true needs dt_tie=true and dt_transform=\"exp\"";
    }

    public static S4Options From(MixerArguments args, bool withDisc) => new()
    {
        FinalAct = args.GetStringOrNull("final_act"),
        Dropout = args.GetDouble("dropout"),
        LMax = args.GetIntOrNull("l_max"),
        Channels = args.GetInt("channels"),
        DtMin = args.GetDouble("dt_min"),
        DtMax = args.GetDouble("dt_max"),
        DtTie = args.GetBool("dt_tie"),
        DtTransform = args.GetString("dt_transform"),
        DtFast = args.GetBool("dt_fast"),
        Rank = args.GetInt("rank"),
        NSsm = args.GetIntOrNull("n_ssm"),
        Init = args.GetString("init"),
        Deterministic = args.GetBool("deterministic"),
        RealTransform = args.GetString("real_transform"),
        ImagTransform = args.GetString("imag_transform"),
        SwapChannels = args.GetBool("swap_channels"),
        DropKernel = args.GetDouble("drop_kernel"),
        Disc = withDisc ? args.GetString("disc") : "zoh",
        InitOptions = new S4InitOptions
        {
            RealRandom = args.GetBool("real_random"),
            RealScale = args.GetDouble("real_scale"),
            ImagRandom = args.GetBool("imag_random"),
            ImagScale = args.GetDouble("imag_scale"),
            BInit = args.GetString("B_init"),
            BScale = args.GetDouble("B_scale"),
            PScale = args.GetDouble("P_scale"),
            Normalize = args.GetBool("normalize"),
        },
    };
}
