using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Lrnn.Tokenization;

/// <summary>
/// A byte-level tokenizer: ids 0..255 are the UTF-8 bytes of the text, followed by the special tokens
/// <see cref="BosId"/>, <see cref="EosId"/> and <see cref="PadId"/>. It has no vocabulary to learn, encodes any text
/// losslessly, and is saved beside a checkpoint as <c>tokenizer.json</c>.
/// </summary>
public sealed class ByteTokenizer
{
    public const string FileName = "tokenizer.json";
    public const int ByteCount = 256;
    public const string Type = "byte";

    public int BosId => ByteCount;
    public int EosId => ByteCount + 1;
    public int PadId => ByteCount + 2;

    /// <summary>256 bytes + BOS, EOS, PAD: the model's <c>vocab_size</c>.</summary>
    public int VocabSize => ByteCount + 3;

    /// <summary>The special tokens by name, as written in tokenizer.json.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => new Dictionary<string, int>
    {
        ["<bos>"] = BosId,
        ["<eos>"] = EosId,
        ["<pad>"] = PadId,
    };

    public bool IsSpecial(long id) => id >= ByteCount;

    /// <summary>The UTF-8 bytes of <paramref name="text"/> as ids, optionally framed by BOS and EOS.</summary>
    public long[] Encode(string text, bool addBos = false, bool addEos = false)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var ids = new long[bytes.Length + (addBos ? 1 : 0) + (addEos ? 1 : 0)];
        var at = 0;
        if (addBos) ids[at++] = BosId;
        foreach (var b in bytes) ids[at++] = b;
        if (addEos) ids[at] = EosId;
        return ids;
    }

    /// <summary>The text of the byte ids; special tokens are skipped and invalid UTF-8 becomes U+FFFD.</summary>
    public string Decode(IEnumerable<long> ids) =>
        Encoding.UTF8.GetString(ids.Where(id => !IsSpecial(id)).Select(id => checked((byte)id)).ToArray());

    /// <summary>A decoder for ids that arrive one at a time: a character split over several bytes is returned once complete.</summary>
    public StreamingTextDecoder CreateStreamingDecoder() => new(this);

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var json = new JObject
        {
            ["type"] = Type,
            ["byte_count"] = ByteCount,
            ["special_tokens"] = JObject.FromObject(SpecialTokens),
        };
        File.WriteAllText(Path.Combine(directory, FileName), json.ToString(Formatting.Indented) + "\n");
    }

    /// <summary>Reads <c>tokenizer.json</c> from <paramref name="directory"/> and checks that it describes this tokenizer.</summary>
    public static ByteTokenizer Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var json = JObject.Parse(File.ReadAllText(path));
        var tokenizer = new ByteTokenizer();
        var specials = json["special_tokens"]?.ToObject<Dictionary<string, int>>() ?? [];
        if ((string?)json["type"] != Type || (int?)json["byte_count"] != ByteCount ||
            !tokenizer.SpecialTokens.All(kv => specials.TryGetValue(kv.Key, out var id) && id == kv.Value))
            throw new InvalidDataException($"{path} does not describe a byte tokenizer with {string.Join(", ", tokenizer.SpecialTokens)}");
        return tokenizer;
    }
}
