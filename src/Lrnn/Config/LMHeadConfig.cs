using Lrnn.Losses;
using Newtonsoft.Json;

namespace Lrnn.Config;

/// <summary>
/// The <c>lm_head</c> object of config.json: which head, its options and its loss.
/// <code>
/// "lm_head": { "name": "default", "bias": true, "layer_norm": true, "loss": { "implementation": "fused_linear", "z_loss_multiplier": 1e-4 } }
/// "lm_head": { "name": "normalized" }
/// "lm_head": { "name": "split", "split_vocab_size": { "text": 32000, "special": 8 }, "split_order": ["text", "special"] }
/// </code>
/// A model without <c>lm_head</c> has lrnnx's plain linear head (the same function as "default" with no options).
/// Plain data: <c>Lrnn.Heads.LanguageModelHeads.Build</c> makes the head it describes.
/// </summary>
public sealed record LMHeadConfig
{
    public const string Default = "default", Normalized = "normalized", Split = "split";
    private static readonly string[] s_names = [Default, Normalized, Split];

    [JsonProperty("name")]
    public string Name { get; init; } = Default;

    /// <summary>"default" only: a bias on the logits (zero-initialised; it cannot be tied).</summary>
    [JsonProperty("bias")]
    public bool Bias { get; init; }

    /// <summary>"default" only: normalise the hidden states first, with the model's norm type (RMSNorm or LayerNorm).</summary>
    [JsonProperty("layer_norm")]
    public bool LayerNorm { get; init; }

    /// <summary>"split" only: the size of each named part of the vocabulary.</summary>
    [JsonProperty("split_vocab_size", NullValueHandling = NullValueHandling.Ignore)]
    public IReadOnlyDictionary<string, long>? SplitVocabSize { get; init; }

    /// <summary>"split" only: the order of the parts, which defines the global ids (part k starts after parts 0..k−1).</summary>
    [JsonProperty("split_order", NullValueHandling = NullValueHandling.Ignore)]
    public IReadOnlyList<string>? SplitOrder { get; init; }

    [JsonProperty("loss")]
    public LossConfig Loss { get; init; } = new();

    /// <summary>The problems of this config for a model of <paramref name="paddedVocabSize"/> tokens (empty: valid).</summary>
    public IEnumerable<string> Problems(long paddedVocabSize)
    {
        if (!s_names.Contains(Name)) yield return $"lm_head.name '{Name}' is unknown (known: {string.Join(", ", s_names)})";
        if (Name != Default && (Bias || LayerNorm)) yield return $"lm_head: bias and layer_norm apply to the \"default\" head only, not \"{Name}\"";
        var isSplit = Name == Split;
        if (!isSplit && (SplitVocabSize is not null || SplitOrder is not null))
            yield return $"lm_head: split_vocab_size and split_order apply to the \"split\" head only, not \"{Name}\"";
        if (isSplit)
            foreach (var p in SplitVocabulary.Problems(SplitVocabSize, SplitOrder, paddedVocabSize)) yield return "lm_head: " + p;
        foreach (var p in Loss.Problems()) yield return p;
    }

    /// <summary>The vocabulary of a "split" head (null for the others).</summary>
    public SplitVocabulary? Vocabulary() => Name == Split ? new SplitVocabulary(SplitVocabSize!, SplitOrder!) : null;
}
