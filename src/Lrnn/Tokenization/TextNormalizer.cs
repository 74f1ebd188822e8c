using System.Text;
using Newtonsoft.Json.Linq;

namespace Lrnn.Tokenization;

/// <summary>
/// A tokenizer.json <c>normalizer</c> made of Unicode normalization forms and lowercasing (NFC, NFD, NFKC, NFKD,
/// Lowercase, or a Sequence of them), applied in order before pre-tokenization.
/// </summary>
public sealed class TextNormalizer
{
    private static readonly string[] Known = ["NFC", "NFD", "NFKC", "NFKD", "Lowercase"];

    public TextNormalizer(IReadOnlyList<string> steps)
    {
        foreach (var step in steps)
            if (!Known.Contains(step)) throw new NotSupportedException($"normalizer {step} is not supported (known: {string.Join(", ", Known)})");
        Steps = steps;
    }

    public IReadOnlyList<string> Steps { get; }

    /// <summary>
    /// Whether this process can apply Unicode normalization. .NET normalizes through ICU; in globalization-invariant
    /// mode (no libicu, or DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1) <see cref="string.Normalize(NormalizationForm)"/>
    /// returns non-ASCII text unchanged, which would silently give other ids than Hugging Face's tokenizers.
    /// </summary>
    public static bool UnicodeNormalizationAvailable { get; } = "e\u0301".Normalize(NormalizationForm.FormC) == "\u00e9";

    public string Apply(string text)
    {
        foreach (var step in Steps)
        {
            if (step != "Lowercase" && !UnicodeNormalizationAvailable && !System.Text.Ascii.IsValid(text))
                throw new NotSupportedException($"the tokenizer's {step} normalizer needs ICU (libicu), and this process runs in " +
                                                "globalization-invariant mode: install libicu and unset DOTNET_SYSTEM_GLOBALIZATION_INVARIANT");
            text = step switch
            {
                "NFC" => text.Normalize(NormalizationForm.FormC),
                "NFD" => text.Normalize(NormalizationForm.FormD),
                "NFKC" => text.Normalize(NormalizationForm.FormKC),
                "NFKD" => text.Normalize(NormalizationForm.FormKD),
                _ => text.ToLowerInvariant(),
            };
        }
        return text;
    }

    public JObject ToJson() => Steps.Count == 1
        ? new JObject { ["type"] = Steps[0] }
        : new JObject { ["type"] = "Sequence", ["normalizers"] = new JArray(Steps.Select(s => new JObject { ["type"] = s })) };

    /// <summary>Reads a tokenizer.json <c>normalizer</c> (null: none).</summary>
    public static TextNormalizer? FromJson(JToken? json, string source)
    {
        if (json is null || json.Type == JTokenType.Null) return null;
        var steps = new List<string>();
        void Add(JToken token)
        {
            var type = (string?)token["type"];
            if (type == "Sequence")
                foreach (var inner in token["normalizers"] as JArray ?? []) Add(inner);
            else if (type is not null && Known.Contains(type)) steps.Add(type);
            else throw new NotSupportedException($"{source}: normalizer {token.ToString(Newtonsoft.Json.Formatting.None)} is not supported (known: {string.Join(", ", Known)}, Sequence)");
        }
        Add(json);
        return steps.Count == 0 ? null : new TextNormalizer(steps);
    }
}
