using Lrnn.Modules;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Lrnn.Config;

/// <summary>
/// The configuration of an <see cref="Models.LrnnLMHeadModel"/>: every field of lrnnx's <c>LRNNLMHeadModel</c>,
/// under the same JSON names, so a <c>config.json</c> written by lrnnx loads here and ours loads there.
/// lrnnx writes only twelve fields (it forgets <c>mixer_kwargs</c> and <c>initializer_cfg</c>, so its
/// checkpoints cannot be rebuilt from the folder alone); we write those too.
/// </summary>
public sealed record LrnnConfig
{
    [JsonProperty("d_model", Required = Required.Always)]
    public long DModel { get; init; }

    /// <summary>State size N of the recurrent mixers; lrnnx passes it to every mixer whose signature has it.</summary>
    [JsonProperty("d_state", Required = Required.Always)]
    public long DState { get; init; }

    [JsonProperty("n_layer", Required = Required.Always)]
    public int NLayer { get; init; }

    /// <summary>The tokenizer's vocabulary, unpadded (see <see cref="PaddedVocabSize"/>).</summary>
    [JsonProperty("vocab_size", Required = Required.Always)]
    public long VocabSize { get; init; }

    /// <summary>One registered mixer name per layer (case-sensitive, as lrnnx: "LRU", "attn", ...).</summary>
    [JsonProperty("mixer_types", Required = Required.Always)]
    public IReadOnlyList<string> MixerTypes { get; init; } = [];

    /// <summary>Hidden size of each block's GatedMLP (rounded up to a multiple of 128); 0: no MLP.</summary>
    [JsonProperty("d_intermediate")]
    public long DIntermediate { get; init; }

    [JsonProperty("norm_epsilon")]
    public double NormEpsilon { get; init; } = 1e-5;

    /// <summary>RMSNorm when true, LayerNorm (with bias) when false.</summary>
    [JsonProperty("rms_norm")]
    public bool RmsNorm { get; init; } = true;

    /// <summary>
    /// lrnnx's switch for its Triton add+norm kernel. It does not change the function computed, so it is kept only
    /// for compatibility of the file; the add and the norm are computed the same way whatever its value.
    /// </summary>
    [JsonProperty("fused_add_norm")]
    public bool FusedAddNorm { get; init; } = true;

    /// <summary>Keep the residual stream in float32 whatever the parameters' dtype.</summary>
    [JsonProperty("residual_in_fp32")]
    public bool ResidualInFp32 { get; init; }

    /// <summary><c>lm_head.weight</c> is the embedding's weight (one tensor under two names).</summary>
    [JsonProperty("tie_embeddings")]
    public bool TieEmbeddings { get; init; } = true;

    [JsonProperty("pad_vocab_size_multiple")]
    public long PadVocabSizeMultiple { get; init; } = 8;

    /// <summary>
    /// Keyword arguments of the mixers. As lrnnx: an object keyed by mixer type, <c>{"attn": {"num_heads": 4}}</c>.
    /// Also (documented by lrnnx but silently ignored there) a flat object, <c>{"r_min": 0.5}</c>, applied to every
    /// mixer that knows the keyword; a flat keyword that no mixer of the model knows is an error.
    /// </summary>
    [JsonProperty("mixer_kwargs", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? MixerKwargs { get; init; }

    [JsonProperty("initializer_cfg", NullValueHandling = NullValueHandling.Ignore)]
    public InitializerConfig? InitializerCfg { get; init; }

    /// <summary>The output head and its loss (<see cref="LMHeadConfig"/>); null: lrnnx's plain linear head, default loss.</summary>
    [JsonProperty("lm_head", NullValueHandling = NullValueHandling.Ignore)]
    public LMHeadConfig? LmHead { get; init; }

    /// <summary>
    /// The vocabulary rounded up to <see cref="PadVocabSizeMultiple"/>. The embedding and lm_head have this many rows
    /// and, as in lrnnx, the logits are not trimmed: their last dimension is the padded size, and the rows past
    /// <see cref="VocabSize"/> are never targets (mask or slice them when sampling).
    /// </summary>
    [JsonIgnore]
    public long PaddedVocabSize => PadVocabSizeMultiple <= 1 || VocabSize % PadVocabSizeMultiple == 0
        ? VocabSize
        : VocabSize + PadVocabSizeMultiple - VocabSize % PadVocabSizeMultiple;

    [JsonIgnore]
    public InitializerConfig Initializer => InitializerCfg ?? new InitializerConfig();

    /// <summary>Throws an <see cref="LrnnConfigException"/> listing every problem (one a line); returns this.</summary>
    public LrnnConfig Validate()
    {
        var problems = Problems().ToList();
        if (problems.Count > 0)
            throw new LrnnConfigException("invalid LrnnConfig:" + string.Concat(problems.Select(p => Environment.NewLine + "  - " + p)));
        return this;
    }

    private IEnumerable<string> Problems()
    {
        if (DModel <= 0) yield return $"d_model must be positive, got {DModel}";
        if (DState <= 0) yield return $"d_state must be positive, got {DState}";
        if (NLayer <= 0) yield return $"n_layer must be positive, got {NLayer}";
        if (VocabSize <= 0) yield return $"vocab_size must be positive, got {VocabSize}";
        if (DIntermediate < 0) yield return $"d_intermediate must be 0 (no MLP) or positive, got {DIntermediate}";
        if (PadVocabSizeMultiple <= 0) yield return $"pad_vocab_size_multiple must be positive, got {PadVocabSizeMultiple}";
        if (!(NormEpsilon > 0)) yield return $"norm_epsilon must be positive, got {NormEpsilon}";
        if (InitializerCfg is { } init && !(init.InitializerRange > 0))
            yield return $"initializer_cfg.initializer_range must be positive, got {init.InitializerRange}";
        if (LmHead is { } head)
            foreach (var p in head.Problems(PaddedVocabSize)) yield return p;
        if (MixerTypes.Count != NLayer)
            yield return $"mixer_types has {MixerTypes.Count} entries but n_layer is {NLayer}: give one mixer type per layer";

        var unknown = MixerTypes.Where(t => !MixerRegistry.Contains(t)).Distinct().ToList();
        foreach (var t in unknown)
            yield return $"unknown mixer type '{t}' (known, case-sensitive: {string.Join(", ", MixerRegistry.Names)})";
        if (unknown.Count > 0) yield break;

        var kwargProblems = new List<string>();
        try
        {
            foreach (var type in MixerTypes.Distinct())
            {
                var schemaProblems = MixerRegistry.Schema(type).Problems(type, KwargsFor(type)).ToList();
                kwargProblems.AddRange(schemaProblems);
                // Checks against the model read the kwargs, so they run only on kwargs that fit the schema.
                if (schemaProblems.Count == 0) kwargProblems.AddRange(MixerRegistry.ModelProblems(type, this, ArgumentsFor(type)));
            }
            kwargProblems.AddRange(FlatKwargsNoMixerKnows());
        }
        catch (LrnnConfigException e)
        {
            kwargProblems.Add(e.Message);
        }
        foreach (var p in kwargProblems.Distinct()) yield return p;
    }

    /// <summary>The resolved keyword arguments of mixer type <paramref name="mixerType"/> (its schema's defaults under the given values).</summary>
    public MixerArguments ArgumentsFor(string mixerType) => new(MixerRegistry.Schema(mixerType), KwargsFor(mixerType));

    /// <summary>True when <see cref="MixerKwargs"/> is keyed by mixer type (lrnnx's form), false when flat.</summary>
    private bool IsKeyedByMixerType()
    {
        if (MixerKwargs is null || MixerKwargs.Count == 0) return true;
        var keyed = MixerKwargs.Properties().Where(p => MixerRegistry.Contains(p.Name)).Select(p => p.Name).ToList();
        if (keyed.Count == 0) return false;
        var rest = MixerKwargs.Properties().Select(p => p.Name).Except(keyed).ToList();
        if (rest.Count > 0)
            throw new LrnnConfigException(
                $"mixer_kwargs mixes mixer types ({string.Join(", ", keyed)}) with other keys ({string.Join(", ", rest)}): " +
                "use either {\"<mixer type>\": {...}} for every key, or one flat object of keyword arguments for all mixers");
        foreach (var name in keyed.Where(k => MixerKwargs[k]!.Type != JTokenType.Object))
            throw new LrnnConfigException($"mixer_kwargs['{name}'] must be an object of keyword arguments, got {MixerKwargs[name]!.Type}");
        return true;
    }

    /// <summary>The keyword arguments given for <paramref name="mixerType"/>: its own object, or the flat keys its schema knows.</summary>
    private JObject KwargsFor(string mixerType)
    {
        if (MixerKwargs is null) return [];
        if (IsKeyedByMixerType()) return MixerKwargs[mixerType] as JObject ?? [];
        var schema = MixerRegistry.Schema(mixerType);
        return new JObject(MixerKwargs.Properties().Where(p => schema.Contains(p.Name) || p.Name == "d_state").Select(p => new JProperty(p)));
    }

    private IEnumerable<string> FlatKwargsNoMixerKnows()
    {
        if (MixerKwargs is null || IsKeyedByMixerType()) return [];
        var used = MixerTypes.Distinct().ToList();
        return MixerKwargs.Properties()
            .Where(p => p.Name != "d_state" && !used.Any(t => MixerRegistry.Schema(t).Contains(p.Name)))
            .Select(p => $"unknown keyword argument '{p.Name}' in the flat mixer_kwargs: no mixer of this model " +
                         $"({string.Join(", ", used)}) accepts it");
    }

    // ---- config.json -----------------------------------------------------------------------------------------

    public const string FileName = "config.json";

    private static readonly JsonSerializerSettings s_settings = new()
    {
        Formatting = Formatting.Indented,
        MissingMemberHandling = MissingMemberHandling.Error,
        FloatParseHandling = FloatParseHandling.Double,
        Converters = [new PythonFloatConverter()],
    };

    /// <summary>
    /// Serialises as lrnnx's <c>json.dump(indent=4)</c> does: its twelve fields first, in its order and number format,
    /// then mixer_kwargs, initializer_cfg and lm_head when set.
    /// </summary>
    public string ToJson()
    {
        using var text = new StringWriter { NewLine = "\n" };
        using (var writer = new JsonTextWriter(text) { Formatting = Formatting.Indented, Indentation = 4, IndentChar = ' ' })
            JsonSerializer.Create(s_settings).Serialize(writer, this);
        return text.ToString();
    }

    /// <summary>
    /// Parses a config.json (lrnnx's or ours) and validates it. Fields lrnnx does not write take lrnnx's defaults;
    /// an unknown field is an error (a misspelt field would otherwise silently take its default).
    /// <paramref name="mixerKwargs"/> supplies the mixer kwargs of a file that lacks them (lrnnx does not save them;
    /// its from_pretrained takes them again, so does this); kwargs in the file win.
    /// </summary>
    public static LrnnConfig FromJson(string json, string? source = null, JObject? mixerKwargs = null)
    {
        LrnnConfig? config;
        try
        {
            config = StrictConfigJson.Deserialize<LrnnConfig>(json, s_settings, source ?? "config");
        }
        catch (JsonException e)
        {
            throw new LrnnConfigException($"{source ?? "config"}: {e.Message}");
        }
        config = config ?? throw new LrnnConfigException($"{source ?? "config"}: empty document");
        if (config.MixerKwargs is null && mixerKwargs is not null) config = config with { MixerKwargs = mixerKwargs };
        config.Validate();
        ConfigSizeBound.Check(config, source ?? "config");
        return config;
    }

    /// <summary>Writes config.json into <paramref name="directory"/>, atomically (a temporary file renamed over it).</summary>
    public void Save(string directory) => ConfigFile.Write(Path.Combine(directory, FileName), ToJson());

    /// <summary>Reads <c>config.json</c> from a checkpoint folder (or the file itself).</summary>
    public static LrnnConfig Load(string directoryOrFile, JObject? mixerKwargs = null)
    {
        var path = Directory.Exists(directoryOrFile) ? Path.Combine(directoryOrFile, FileName) : directoryOrFile;
        return FromJson(File.ReadAllText(path), path, mixerKwargs);
    }
}
