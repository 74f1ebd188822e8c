using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Lrnn.Tokenization;

/// <summary>
/// Which tokens are BOS, EOS and PAD (by content). tokenizer.json does not say; Hugging Face <c>transformers</c> keeps
/// them in tokenizer_config.json as <c>bos_token</c>, <c>eos_token</c> and <c>pad_token</c> (a string or an object with
/// <c>content</c>), which <see cref="Read"/> reads.
/// </summary>
public sealed record SpecialTokenRoles(string? Bos, string? Eos, string? Pad)
{
    // Conventional names, tried in order when no tokenizer_config.json names the roles.
    private static readonly string[] BosNames = ["<bos>", "<s>", "<|begin_of_text|>", "<|endoftext|>"];
    private static readonly string[] EosNames = ["<eos>", "</s>", "<|end_of_text|>", "<|endoftext|>"];
    private static readonly string[] PadNames = ["<pad>", "<|padding|>", "[PAD]"];

    public static SpecialTokenRoles Read(string tokenizerConfigPath)
    {
        JObject json;
        try
        {
            json = JObject.Parse(File.ReadAllText(tokenizerConfigPath));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{tokenizerConfigPath} is not valid JSON: {e.Message}", e);
        }
        static string? Content(JToken? token) => token switch
        {
            JValue { Type: JTokenType.String } value => (string?)value,
            JObject obj => (string?)obj["content"],
            _ => null,
        };
        return new SpecialTokenRoles(Content(json["bos_token"]), Content(json["eos_token"]), Content(json["pad_token"]));
    }

    /// <summary>
    /// The ids of the roles among <paramref name="tokens"/> (content → id): the named ones, else the conventional names;
    /// a missing BOS falls back to EOS and vice versa, a missing PAD to EOS (as GPT-2 and GPT-NeoX are used).
    /// </summary>
    internal (int Bos, int Eos, int Pad) Resolve(IReadOnlyDictionary<string, int> tokens, string source)
    {
        int? Find(string? named, string[] conventional, string role)
        {
            if (named is not null)
                return tokens.TryGetValue(named, out var id) ? id : throw new InvalidDataException($"{source}: the {role} token '{named}' is not in the vocabulary");
            foreach (var name in conventional)
                if (tokens.TryGetValue(name, out var id)) return id;
            return null;
        }
        var bos = Find(Bos, BosNames, "BOS");
        var eos = Find(Eos, EosNames, "EOS");
        var pad = Find(Pad, PadNames, "PAD");
        var eosOrBos = eos ?? bos ?? throw new InvalidDataException(
            $"{source}: no BOS or EOS token (name them in {LrnnTokenizer.ConfigFileName} as bos_token / eos_token, or add <bos> and <eos>)");
        return (bos ?? eosOrBos, eosOrBos, pad ?? eosOrBos);
    }
}
