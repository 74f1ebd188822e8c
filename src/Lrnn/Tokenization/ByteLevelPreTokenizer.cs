using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace Lrnn.Tokenization;

/// <summary>
/// Hugging Face's <c>ByteLevel</c> pre-tokenizer: optionally a space before the text (<paramref name="AddPrefixSpace"/>),
/// then GPT-2's word regex (<paramref name="UseRegex"/>) splits it into pieces that BPE encodes separately.
/// <paramref name="SplitPattern"/> is an optional <c>Split</c> pre-tokenizer (a regex whose matches are isolated pieces)
/// that runs first, as in <c>Sequence[Split, ByteLevel(use_regex=false)]</c> tokenizers.
/// </summary>
/// <remarks>
/// .NET's regex engine runs the patterns, where Hugging Face uses Oniguruma: <c>\s</c> and <c>\p{L}</c> agree on every
/// character of the BMP except a few rare spaces, and a letter outside the BMP (a surrogate pair to .NET) is matched by
/// the punctuation branch instead of the letter branch.
/// </remarks>
public sealed record ByteLevelPreTokenizer(bool AddPrefixSpace, bool UseRegex, string? SplitPattern = null)
{
    /// <summary>GPT-2's pre-tokenization pattern (OpenAI's gpt-2 <c>encoder.py</c>; Hugging Face's ByteLevel regex).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>GPT-2's: no prefix space, the word regex.</summary>
    public static ByteLevelPreTokenizer Gpt2 { get; } = new(AddPrefixSpace: false, UseRegex: true);

    private static readonly Regex Gpt2Regex = new(Gpt2Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    // Compiled patterns by text, outside the record so that equality stays the value of its three properties.
    private static readonly ConcurrentDictionary<string, Regex> s_compiled = new(StringComparer.Ordinal);
    private Regex? Split => SplitPattern is null ? null : s_compiled.GetOrAdd(SplitPattern, Compile);

    private static Regex Compile(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new NotSupportedException($"the Split pre-tokenizer's pattern cannot be compiled by .NET's regex engine: {e.Message}", e);
        }
    }

    /// <summary>The pieces of <paramref name="text"/> (a stretch between added tokens) in order; together they are the text (plus a prefix space).</summary>
    public IEnumerable<string> PreTokenize(string text)
    {
        if (AddPrefixSpace && !text.StartsWith(' ')) text = " " + text;
        var pieces = Split is { } split ? Isolate(split, text) : [text];
        return UseRegex ? pieces.SelectMany(p => Isolate(Gpt2Regex, p)) : pieces;
    }

    // Matches and the stretches between them, in order (Hugging Face's SplitDelimiterBehavior::Isolated).
    private static IEnumerable<string> Isolate(Regex regex, string text)
    {
        var at = 0;
        for (var match = regex.Match(text); match.Success; match = match.NextMatch())
        {
            if (match.Length == 0) continue;
            if (match.Index > at) yield return text[at..match.Index];
            yield return match.Value;
            at = match.Index + match.Length;
        }
        if (at < text.Length) yield return text[at..];
    }

    public JObject ToJson()
    {
        var byteLevel = new JObject { ["type"] = "ByteLevel", ["add_prefix_space"] = AddPrefixSpace, ["trim_offsets"] = true, ["use_regex"] = UseRegex };
        if (SplitPattern is null) return byteLevel;
        var split = new JObject
        {
            ["type"] = "Split", ["pattern"] = new JObject { ["Regex"] = SplitPattern }, ["behavior"] = "Isolated", ["invert"] = false,
        };
        return new JObject { ["type"] = "Sequence", ["pretokenizers"] = new JArray(split, byteLevel) };
    }

    /// <summary>Reads a tokenizer.json <c>pre_tokenizer</c>: ByteLevel, or Sequence[Split(Regex, Isolated), ByteLevel].</summary>
    public static ByteLevelPreTokenizer FromJson(JToken? json, string source)
    {
        static ByteLevelPreTokenizer ByteLevel(JObject o, string? split) =>
            new((bool?)o["add_prefix_space"] ?? true, (bool?)o["use_regex"] ?? true, split);
        switch (json)
        {
            case JObject o when (string?)o["type"] == "ByteLevel":
                return ByteLevel(o, null);
            case JObject o when (string?)o["type"] == "Sequence" && o["pretokenizers"] is JArray { Count: 2 } steps &&
                                 steps[0] is JObject split && (string?)split["type"] == "Split" &&
                                 steps[1] is JObject byteLevel && (string?)byteLevel["type"] == "ByteLevel":
                if (split["pattern"]?["Regex"] is not JValue { Type: JTokenType.String } pattern || (string?)split["behavior"] != "Isolated" ||
                    (bool?)split["invert"] == true)
                    throw new NotSupportedException($"{source}: only a Split pre-tokenizer with a Regex pattern, behavior Isolated and invert false is supported");
                return ByteLevel(byteLevel, (string)pattern!);
            default:
                throw new NotSupportedException($"{source}: pre_tokenizer {json?.ToString(Newtonsoft.Json.Formatting.None) ?? "null"} is not supported: " +
                                                "byte-level BPE needs a ByteLevel pre-tokenizer (alone or after a regex Split)");
        }
    }
}
