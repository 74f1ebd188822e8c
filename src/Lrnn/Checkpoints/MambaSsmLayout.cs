using Lrnn.Config;
using Newtonsoft.Json.Linq;

namespace Lrnn.Checkpoints;

/// <summary>
/// mamba_ssm's <c>MambaLMHeadModel</c> checkpoints (state-spaces/mamba-130m … 2.8b and hybrids): the fields of its
/// <c>MambaConfig</c> (mamba_ssm/models/config_mamba.py) mapped to an <see cref="LrnnConfig"/>. The state-dict keys
/// are lrnnx's already (lrnnx's LM is mamba_ssm's MixerModel), so no key is renamed; lrnnx's Mamba adds an event-mode
/// <c>dtA_proj</c> that mamba_ssm checkpoints lack.
/// </summary>
public static class MambaSsmLayout
{
    private static readonly HashSet<string> s_fields = new(StringComparer.Ordinal)
    {
        "d_model", "d_intermediate", "n_layer", "vocab_size", "ssm_cfg", "attn_layer_idx", "attn_cfg", "rms_norm",
        "residual_in_fp32", "fused_add_norm", "pad_vocab_size_multiple", "tie_embeddings",
    };

    /// <summary>True for a config.json that mamba_ssm wrote: its field names, no lrnnx <c>mixer_types</c>.</summary>
    public static bool Matches(JObject json) =>
        json["mixer_types"] is null && json["d_model"] is not null && json["n_layer"] is not null && json["hidden_size"] is null;

    /// <summary>
    /// Maps the config (defaults as mamba_ssm's MambaConfig: d_intermediate 0, ssm_cfg {}, rms_norm, residual_in_fp32,
    /// fused_add_norm and tie_embeddings true, pad_vocab_size_multiple 8; norm epsilon 1e-5 as its MixerModel). Layers
    /// in attn_layer_idx are "attn" with attn_cfg; the others "Mamba" with ssm_cfg minus d_state, which becomes
    /// LrnnConfig.d_state (default 16, Mamba1's). ssm_cfg.layer "Mamba2" is refused: Mamba-2 is not an Lrnn mixer.
    /// </summary>
    public static LrnnConfig ToLrnnConfig(JObject json, string source)
    {
        var unknown = json.Properties().Select(p => p.Name).Where(n => !s_fields.Contains(n)).ToList();
        if (unknown.Count > 0)
            throw new LrnnConfigException($"{source}: unknown mamba_ssm config field(s) {string.Join(", ", unknown)} (mamba_ssm's MambaConfig has {string.Join(", ", s_fields)})");
        try
        {
            var ssm = (JObject?)json["ssm_cfg"]?.DeepClone() ?? [];
            var layer = (string?)ssm["layer"] ?? "Mamba1";
            if (layer != "Mamba1")
                throw new LrnnConfigException($"{source}: ssm_cfg.layer is '{layer}'; only Mamba1 layers map to Lrnn's Mamba mixer (Mamba-2 is not implemented)");
            ssm.Remove("layer");
            var dState = (long?)ssm["d_state"] ?? 16;
            ssm.Remove("d_state");
            if (ssm["dt_rank"] is { Type: JTokenType.Integer } rank) ssm["dt_rank"] = ((long)rank).ToString(System.Globalization.CultureInfo.InvariantCulture);

            var nLayer = (int)Required(json, "n_layer", source);
            var attnIdx = json["attn_layer_idx"] is JArray a ? a.Select(t => (int)t).ToHashSet() : [];
            foreach (var i in attnIdx.Where(i => i < 0 || i >= nLayer))
                throw new LrnnConfigException($"{source}: attn_layer_idx has {i}, outside 0..{nLayer - 1}");
            var kwargs = new JObject();
            if (attnIdx.Count < nLayer) kwargs["Mamba"] = ssm;
            if (attnIdx.Count > 0) kwargs["attn"] = json["attn_cfg"]?.DeepClone() ?? new JObject();
            return new LrnnConfig
            {
                DModel = (long)Required(json, "d_model", source),
                DState = dState,
                NLayer = nLayer,
                VocabSize = (long)Required(json, "vocab_size", source),
                MixerTypes = Enumerable.Range(0, nLayer).Select(i => attnIdx.Contains(i) ? "attn" : "Mamba").ToList(),
                DIntermediate = (long?)json["d_intermediate"] ?? 0,
                NormEpsilon = 1e-5,
                RmsNorm = (bool?)json["rms_norm"] ?? true,
                FusedAddNorm = (bool?)json["fused_add_norm"] ?? true,
                ResidualInFp32 = (bool?)json["residual_in_fp32"] ?? true,
                TieEmbeddings = (bool?)json["tie_embeddings"] ?? true,
                PadVocabSizeMultiple = (long?)json["pad_vocab_size_multiple"] ?? 8,
                MixerKwargs = kwargs,
            }.Validate();
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or FormatException or OverflowException)
        {
            throw new LrnnConfigException($"{source}: a mamba_ssm config field has the wrong type ({e.Message})");
        }
    }

    internal static JToken Required(JObject json, string field, string source) =>
        json[field] is { Type: not JTokenType.Null } v ? v : throw new LrnnConfigException($"{source}: the required field '{field}' is missing");
}
