using System.Globalization;
using Lrnn.Config;
using Lrnn.Modules.Mixers;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;

namespace Lrnn.Checkpoints;

/// <summary>
/// Hugging Face transformers' <c>MambaForCausalLM</c> folders (transformers/models/mamba: configuration_mamba.py,
/// modeling_mamba.py), both ways. Its model is mamba_ssm's with other config names, one other key
/// (<c>backbone.embeddings.weight</c> for <c>backbone.embedding.weight</c>), RMSNorm always, no MLP, no attention,
/// and an unpadded vocabulary (its embedding has exactly <c>vocab_size</c> rows). A tied <c>lm_head.weight</c> is
/// absent from its files.
/// </summary>
public static class HuggingFaceMambaLayout
{
    public const string EmbeddingKey = "backbone.embeddings.weight";
    private const string LrnnEmbeddingKey = "backbone.embedding.weight";

    /// <summary>True for a config.json of transformers' Mamba (model_type "mamba", or its field names).</summary>
    public static bool Matches(JObject json) =>
        (string?)json["model_type"] == "mamba" ||
        (json["architectures"] is JArray a && a.Any(t => (string?)t == "MambaForCausalLM")) ||
        (json["hidden_size"] is not null && json["state_size"] is not null && json["mixer_types"] is null);

    /// <summary>
    /// Maps MambaConfig (defaults as transformers': state_size 16, expand 2, conv_kernel 4, time_step_rank "auto",
    /// use_bias false, use_conv_bias true, layer_norm_epsilon 1e-5, residual_in_fp32 true, tie_word_embeddings true).
    /// expand = intermediate_size / hidden_size (refused unless whole); hidden_act must be "silu".
    /// Fields of PretrainedConfig (token ids, dtype, versions, use_cache, ...) do not change the function and are ignored.
    /// </summary>
    public static LrnnConfig ToLrnnConfig(JObject json, string source)
    {
        if ((string?)json["model_type"] is { } type && type != "mamba")
            throw new LrnnConfigException($"{source}: model_type '{type}' is not transformers' Mamba (Mamba-2 and other models do not map to Lrnn)");
        if ((string?)json["hidden_act"] is { } act && act != "silu")
            throw new LrnnConfigException($"{source}: hidden_act '{act}': Lrnn's Mamba uses SiLU, as transformers' default");
        try
        {
            var hidden = (long)MambaSsmLayout.Required(json, "hidden_size", source);
            var expand = (long?)json["expand"] ?? 2;
            if (json["intermediate_size"] is { Type: not JTokenType.Null } inter)
            {
                var size = (long)inter;
                if (hidden <= 0 || size % hidden != 0)
                    throw new LrnnConfigException($"{source}: intermediate_size {size} is not a multiple of hidden_size {hidden}; Lrnn's Mamba has d_inner = expand·d_model");
                expand = size / hidden;
            }
            var rank = json["time_step_rank"] is { Type: JTokenType.Integer } r ? ((long)r).ToString(CultureInfo.InvariantCulture) : (string?)json["time_step_rank"] ?? "auto";
            var mamba = new JObject
            {
                ["d_conv"] = (long?)json["conv_kernel"] ?? 4,
                ["expand"] = expand,
                ["dt_rank"] = rank,
                ["bias"] = (bool?)json["use_bias"] ?? false,
                ["conv_bias"] = (bool?)json["use_conv_bias"] ?? true,
            };
            // Initialisation-only fields, kept so that a saved folder round-trips.
            CopyIfPresent(json, "time_step_min", mamba, "dt_min");
            CopyIfPresent(json, "time_step_max", mamba, "dt_max");
            CopyIfPresent(json, "time_step_scale", mamba, "dt_scale");
            CopyIfPresent(json, "time_step_floor", mamba, "dt_init_floor");
            CopyIfPresent(json, "time_step_init_scheme", mamba, "dt_init");
            var nLayer = (int)MambaSsmLayout.Required(json, "num_hidden_layers", source);
            return new LrnnConfig
            {
                DModel = hidden,
                DState = (long?)json["state_size"] ?? 16,
                NLayer = nLayer,
                VocabSize = (long)MambaSsmLayout.Required(json, "vocab_size", source),
                MixerTypes = Enumerable.Repeat("Mamba", nLayer).ToList(),
                NormEpsilon = (double?)json["layer_norm_epsilon"] ?? 1e-5,
                RmsNorm = true,
                ResidualInFp32 = (bool?)json["residual_in_fp32"] ?? true,
                TieEmbeddings = (bool?)json["tie_word_embeddings"] ?? true,
                PadVocabSizeMultiple = 1,
                MixerKwargs = new JObject { ["Mamba"] = mamba },
            }.Validate();
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or FormatException or OverflowException)
        {
            throw new LrnnConfigException($"{source}: a transformers MambaConfig field has the wrong type ({e.Message})");
        }
    }

    /// <summary>
    /// The config.json transformers reads for <paramref name="config"/>; refused (naming why) unless the model is
    /// what MambaForCausalLM computes: Mamba layers only, "mamba" discretisation, RMSNorm, no MLP, the plain head.
    /// vocab_size is the padded vocabulary (transformers' embedding has vocab_size rows).
    /// </summary>
    public static JObject FromLrnnConfig(LrnnConfig config)
    {
        var problems = new List<string>();
        if (config.MixerTypes.Any(t => t != "Mamba")) problems.Add($"every layer must be Mamba (mixer_types: {string.Join(", ", config.MixerTypes.Distinct())})");
        if (config.DIntermediate != 0) problems.Add("d_intermediate must be 0 (MambaForCausalLM has no MLP)");
        if (!config.RmsNorm) problems.Add("rms_norm must be true (MambaForCausalLM uses RMSNorm)");
        if (config.LmHead is not null) problems.Add("lm_head must be the plain linear head");
        if (problems.Count > 0)
            throw new LrnnConfigException("this model cannot be saved as transformers' MambaForCausalLM: " + string.Join("; ", problems));
        var args = config.ArgumentsFor("Mamba");
        if (args.GetString("discretization") != "mamba")
            throw new LrnnConfigException($"this model cannot be saved as transformers' MambaForCausalLM: its Mamba discretization is '{args.GetString("discretization")}' (transformers computes 'mamba')");
        if (args.GetBool("event_mode"))
            throw new LrnnConfigException("this model cannot be saved as transformers' MambaForCausalLM: its Mamba layers run in event mode " +
                                          "(dtA_proj), which transformers has no weights for");
        var rank = args.GetString("dt_rank");
        var dtRank = rank == "auto" ? Mamba.AutoDtRank(config.DModel) : long.Parse(rank, CultureInfo.InvariantCulture);
        return new JObject
        {
            ["architectures"] = new JArray("MambaForCausalLM"),
            ["model_type"] = "mamba",
            ["vocab_size"] = config.PaddedVocabSize,
            ["hidden_size"] = config.DModel,
            ["state_size"] = config.DState,
            ["num_hidden_layers"] = config.NLayer,
            ["layer_norm_epsilon"] = config.NormEpsilon,
            ["expand"] = args.GetInt("expand"),
            ["conv_kernel"] = args.GetInt("d_conv"),
            ["use_bias"] = args.GetBool("bias"),
            ["use_conv_bias"] = args.GetBool("conv_bias"),
            ["hidden_act"] = "silu",
            ["intermediate_size"] = args.GetInt("expand") * config.DModel,
            ["time_step_rank"] = dtRank,
            ["time_step_scale"] = args.GetDouble("dt_scale"),
            ["time_step_min"] = args.GetDouble("dt_min"),
            ["time_step_max"] = args.GetDouble("dt_max"),
            ["time_step_init_scheme"] = args.GetString("dt_init"),
            ["time_step_floor"] = args.GetDouble("dt_init_floor"),
            ["residual_in_fp32"] = config.ResidualInFp32,
            ["tie_word_embeddings"] = config.TieEmbeddings,
        };
    }

    /// <summary>transformers' key → Lrnn's key.</summary>
    public static string ToLrnnKey(string key) => key == EmbeddingKey ? LrnnEmbeddingKey : key;

    /// <summary>
    /// Lrnn's state dict → the tensors MambaForCausalLM's files hold: the embedding renamed, a tied lm_head.weight
    /// dropped (transformers re-ties it), lrnnx's event-mode dtA_proj dropped (transformers has no event mode).
    /// </summary>
    public static Dictionary<string, Tensor> FromLrnnState(IReadOnlyDictionary<string, Tensor> state, LrnnConfig config)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, tensor) in state)
        {
            if (key.Contains(".mixer.dtA_proj.", StringComparison.Ordinal)) continue;
            if (config.TieEmbeddings && key == "lm_head.weight") continue;
            result.Add(key == LrnnEmbeddingKey ? EmbeddingKey : key, tensor);
        }
        return result;
    }

    private static void CopyIfPresent(JObject from, string name, JObject to, string as_)
    {
        if (from[name] is { Type: not JTokenType.Null } v) to[as_] = v.DeepClone();
    }
}
