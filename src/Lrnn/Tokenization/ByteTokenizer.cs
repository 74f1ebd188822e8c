using System.Text;
using Newtonsoft.Json.Linq;

namespace Lrnn.Tokenization;

/// <summary>
/// A byte-level tokenizer: ids 0..255 are the UTF-8 bytes of the text, followed by the special tokens
/// <see cref="BosId"/>, <see cref="EosId"/> and <see cref="PadId"/>. It has no vocabulary to learn and encodes any text
/// losslessly. Its tokenizer.json is a byte-level BPE model without merges whose vocabulary maps each byte's
/// <see cref="ByteLevelAlphabet"/> character to the byte's value, so Hugging Face <c>tokenizers</c> gives the same ids
/// (except that it would also match a literal "&lt;bos&gt;" in the text as the special token, which this tokenizer
/// encodes as its bytes).
/// </summary>
public sealed class ByteTokenizer : LrnnTokenizer
{
    public const int ByteCount = 256;

    /// <summary>The <c>type</c> of the byte tokenizer's earlier tokenizer.json (still read).</summary>
    public const string Type = "byte";

    private static readonly Dictionary<string, int> Specials = new()
    {
        ["<bos>"] = ByteCount,
        ["<eos>"] = ByteCount + 1,
        ["<pad>"] = ByteCount + 2,
    };

    private static readonly byte[][] Bytes = Enumerable.Range(0, ByteCount).Select(b => new[] { (byte)b }).ToArray();

    public override int BosId => ByteCount;
    public override int EosId => ByteCount + 1;
    public override int PadId => ByteCount + 2;

    /// <summary>256 bytes + BOS, EOS, PAD: the model's <c>vocab_size</c>.</summary>
    public override int VocabSize => ByteCount + 3;

    public override IReadOnlyDictionary<string, int> SpecialTokens => Specials;

    public override bool IsSpecial(long id) => id >= ByteCount;

    protected override void EncodeInto(string text, List<long> ids)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text)) ids.Add(b);
    }

    public override ReadOnlySpan<byte> TokenBytes(long id)
    {
        CheckId(id);
        return id < ByteCount ? Bytes[id] : [];
    }

    /// <summary>The same ids as a <see cref="ByteLevelBpeTokenizer"/>: the byte alphabet, no merges, the three special tokens.</summary>
    public ByteLevelBpeTokenizer ToBpe() => new(
        Enumerable.Range(0, ByteCount).Select(b => (ByteLevelAlphabet.ToChar((byte)b).ToString(), b)),
        merges: [],
        addedTokens: Specials.Select(kv => new AddedToken(kv.Key, kv.Value, Special: true)),
        new SpecialTokenRoles("<bos>", "<eos>", "<pad>"),
        new ByteLevelPreTokenizer(AddPrefixSpace: false, UseRegex: false));

    public override JObject ToHuggingFaceJson() => ToBpe().ToHuggingFaceJson();

    /// <summary>Whether <paramref name="bpe"/> gives exactly this tokenizer's ids (as <see cref="ToBpe"/> writes it).</summary>
    internal static bool Matches(ByteLevelBpeTokenizer bpe) =>
        bpe.Merges.Count == 0 && bpe.VocabSize == ByteCount + 3 && bpe.Normalizer is null && !bpe.PreTokenizer.AddPrefixSpace &&
        Enumerable.Range(0, ByteCount).All(b => bpe.TokenBytes(b) is [var only] && only == b && !bpe.IsSpecial(b)) &&
        bpe.SpecialTokens.Count == Specials.Count && Specials.All(kv => bpe.SpecialTokens.TryGetValue(kv.Key, out var id) && id == kv.Value) &&
        (bpe.BosId, bpe.EosId, bpe.PadId) == (ByteCount, ByteCount + 1, ByteCount + 2);

    /// <summary>Reads <see cref="LrnnTokenizer.FileName"/> from <paramref name="directory"/> and checks that it is the byte tokenizer.</summary>
    public static ByteTokenizer Load(string directory) =>
        FromPretrained(directory) as ByteTokenizer ??
        throw new InvalidDataException($"{Path.Combine(directory, FileName)} does not describe the byte tokenizer (bytes 0..255, <bos> 256, <eos> 257, <pad> 258)");

    /// <summary>The byte tokenizer's earlier tokenizer.json: <c>{"type": "byte", "byte_count": 256, "special_tokens": {...}}</c>.</summary>
    internal static ByteTokenizer FromLegacyJson(JObject json, string path)
    {
        var specials = json["special_tokens"]?.ToObject<Dictionary<string, int>>() ?? [];
        if ((int?)json["byte_count"] != ByteCount || specials.Count != Specials.Count ||
            !Specials.All(kv => specials.TryGetValue(kv.Key, out var id) && id == kv.Value))
            throw new InvalidDataException($"{path} does not describe a byte tokenizer with {string.Join(", ", Specials)}");
        return new ByteTokenizer();
    }
}
