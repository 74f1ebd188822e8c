using Newtonsoft.Json.Linq;

namespace Lrnn.Tokenization;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> whose model is byte-level BPE (GPT-2, GPT-NeoX as Mamba uses it, RoBERTa,
/// ours): <c>model.vocab</c>, <c>model.merges</c> in either encoding ("left right" strings, or [left, right] pairs as
/// <c>tokenizers</c> ≥ 0.20 writes them), <c>added_tokens</c>, the normalizer and the ByteLevel pre-tokenizer.
/// Anything that would change the ids and that this reader does not implement is a <see cref="NotSupportedException"/>
/// naming it, never a silent difference. The post-processor is not applied: BOS/EOS are added by
/// <see cref="LrnnTokenizer.Encode"/>'s flags.
/// </summary>
internal static class HuggingFaceTokenizerJson
{
    public static ByteLevelBpeTokenizer Read(JObject json, string source, SpecialTokenRoles? roles)
    {
        if (json["model"] is not JObject model) throw new InvalidDataException($"{source}: no \"model\" object (not a Hugging Face tokenizer.json)");
        var type = (string?)model["type"] ?? "BPE";
        if (type != "BPE") throw new NotSupportedException($"{source}: model type {type} is not supported (only BPE; Microsoft.ML.Tokenizers' SentencePieceTokenizer reads Unigram)");
        if (model["dropout"] is JValue { Type: not JTokenType.Null } dropout && (double)dropout != 0)
            throw new NotSupportedException($"{source}: BPE dropout {dropout} makes encoding random; it is not supported");
        foreach (var affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (model[affix] is JValue { Type: JTokenType.String } value && ((string?)value)!.Length > 0)
                throw new NotSupportedException($"{source}: model.{affix} '{value}' is not supported by byte-level BPE");
        }
        if ((bool?)model["byte_fallback"] == true) throw new NotSupportedException($"{source}: model.byte_fallback is not supported by byte-level BPE");

        if (model["vocab"] is not JObject vocab) throw new InvalidDataException($"{source}: model.vocab is not an object of token → id");
        var vocabulary = vocab.Properties().Select(p => p.Value.Type == JTokenType.Integer
            ? (p.Name, (int)p.Value)
            : throw new InvalidDataException($"{source}: model.vocab['{p.Name}'] is not an integer id"));
        var merges = (model["merges"] as JArray ?? []).Select((m, i) => m switch
        {
            JValue { Type: JTokenType.String } s when ((string)s!).Split(' ') is [var left, var right] && left.Length > 0 && right.Length > 0 => (left, right),
            JArray { Count: 2 } pair when pair[0].Type == JTokenType.String && pair[1].Type == JTokenType.String => ((string)pair[0]!, (string)pair[1]!),
            _ => throw new InvalidDataException($"{source}: model.merges[{i}] is neither \"left right\" nor [\"left\", \"right\"]: {m.ToString(Newtonsoft.Json.Formatting.None)}"),
        });

        var added = new List<AddedToken>();
        foreach (var entry in json["added_tokens"] as JArray ?? [])
        {
            if (entry["id"]?.Type != JTokenType.Integer || entry["content"]?.Type != JTokenType.String)
                throw new InvalidDataException($"{source}: an added token needs an integer id and a string content: {entry.ToString(Newtonsoft.Json.Formatting.None)}");
            foreach (var flag in new[] { "single_word", "lstrip", "rstrip" })
            {
                if ((bool?)entry[flag] == true)
                    throw new NotSupportedException($"{source}: added token '{entry["content"]}' sets {flag}, which is not supported");
            }
            var special = (bool?)entry["special"] ?? false;
            added.Add(new AddedToken((string)entry["content"]!, (int)entry["id"]!, special, (bool?)entry["normalized"] ?? !special));
        }

        var decoder = json["decoder"];
        if (decoder is JObject d && (string?)d["type"] != "ByteLevel")
            throw new NotSupportedException($"{source}: decoder {d["type"]} is not supported: byte-level BPE decodes with ByteLevel");

        return new ByteLevelBpeTokenizer(vocabulary, merges, added, roles,
            ByteLevelPreTokenizer.FromJson(json["pre_tokenizer"], source),
            TextNormalizer.FromJson(json["normalizer"], source),
            ignoreMerges: (bool?)model["ignore_merges"] ?? false,
            source: source);
    }
}
