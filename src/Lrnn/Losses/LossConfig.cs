using Newtonsoft.Json;

namespace Lrnn.Losses;

/// <summary>
/// The training loss of an LM head, as the <c>loss</c> object of the <c>lm_head</c> config:
/// <c>{"implementation": "fused_linear", "z_loss_multiplier": 1e-4}</c>. <see cref="LossFunctions.Build"/> turns it
/// into a <see cref="LanguageModelingLoss"/> (KempnerForge's <c>build_loss_fn</c>).
/// </summary>
public sealed record LossConfig
{
    /// <summary>"default" (logits materialised, CE in float32), "chunked" (CE over chunks of tokens) or "fused_linear"
    /// (the (N, V) logits are never held; see <c>ops.fused_linear_cross_entropy</c>).</summary>
    [JsonProperty("implementation")]
    public string Implementation { get; init; } = LossFunctions.Default;

    /// <summary>z-loss weight m: the loss adds m·lse² per valid token, reduced like the CE. Null: no z-loss. 0 means 0
    /// (OLMo-core turns 0.0 into 1e-4).</summary>
    [JsonProperty("z_loss_multiplier", NullValueHandling = NullValueHandling.Ignore)]
    public double? ZLossMultiplier { get; init; }

    /// <summary>Labels equal to this value contribute nothing (PyTorch's convention, −100).</summary>
    [JsonProperty("ignore_index")]
    public long IgnoreIndex { get; init; } = -100;

    /// <summary>Label smoothing ε in [0, 1] (PyTorch's definition: the target mixes in ε/V of every class).</summary>
    [JsonProperty("label_smoothing")]
    public double LabelSmoothing { get; init; }

    /// <summary>Tokens per chunk for "chunked" and "fused_linear"; 0: 4096 for chunked (KempnerForge's default),
    /// Liger's size for fused_linear (a chunk's logits about as large as the hidden states).</summary>
    [JsonProperty("chunk_size")]
    public long ChunkSize { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (!LossFunctions.Names.Contains(Implementation))
            yield return $"lm_head.loss.implementation '{Implementation}' is unknown (known: {string.Join(", ", LossFunctions.Names)})";
        if (ZLossMultiplier is { } m && !(m >= 0)) yield return $"lm_head.loss.z_loss_multiplier must be ≥ 0, got {m}";
        if (LabelSmoothing is < 0 or > 1 || double.IsNaN(LabelSmoothing))
            yield return $"lm_head.loss.label_smoothing must be in [0, 1], got {LabelSmoothing}";
        if (ChunkSize < 0) yield return $"lm_head.loss.chunk_size must be 0 (automatic) or positive, got {ChunkSize}";
    }
}
