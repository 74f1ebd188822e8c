using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Lrnn.Tokenization;

/// <summary>
/// A tokenizer of a Lrnn language model: text to ids and back, the special tokens that frame documents (BOS, EOS, PAD),
/// and the bytes of every token, so text can be decoded as it streams and losses compared per byte. It is saved beside a
/// checkpoint as <see cref="FileName"/> in Hugging Face <c>tokenizers</c>' format (plus <see cref="ConfigFileName"/>
/// naming the special tokens' roles, as <c>transformers</c> does) and loaded by <see cref="FromPretrained"/>.
/// <para>
/// Implementations: <see cref="ByteTokenizer"/> (UTF-8 bytes), <see cref="ByteLevelBpeTokenizer"/> (GPT-2-style
/// byte-level BPE: Hugging Face tokenizer.json, vocab.json + merges.txt, or trained by <see cref="ByteLevelBpeTrainer"/>)
/// and <see cref="TiktokenGpt2Tokenizer"/> (GPT-2's tiktoken ranks).
/// </para>
/// </summary>
public abstract class LrnnTokenizer
{
    /// <summary>The tokenizer file of a checkpoint folder (Hugging Face's name and format).</summary>
    public const string FileName = "tokenizer.json";

    /// <summary>The file that names the BOS, EOS and PAD tokens (Hugging Face <c>transformers</c>' name and keys).</summary>
    public const string ConfigFileName = "tokenizer_config.json";

    /// <summary>Ids in use are 0 .. VocabSize-1: the model's <c>vocab_size</c> must be at least this.</summary>
    public abstract int VocabSize { get; }

    public abstract int BosId { get; }
    public abstract int EosId { get; }
    public abstract int PadId { get; }

    /// <summary>The special tokens by content (skipped by <see cref="Decode"/>; no text).</summary>
    public abstract IReadOnlyDictionary<string, int> SpecialTokens { get; }

    public virtual bool IsSpecial(long id) => SpecialIds.Contains(id);

    /// <summary>The contents of the BOS, EOS and PAD tokens, as tokenizer_config.json names them.</summary>
    public virtual SpecialTokenRoles Roles
    {
        get
        {
            string NameOf(int id) => SpecialTokens.First(kv => kv.Value == id).Key;
            return new SpecialTokenRoles(NameOf(BosId), NameOf(EosId), NameOf(PadId));
        }
    }

    private HashSet<long>? _specialIds;
    private HashSet<long> SpecialIds => _specialIds ??= SpecialTokens.Values.Select(v => (long)v).ToHashSet();

    /// <summary>The ids of <paramref name="text"/>, optionally framed by BOS and EOS.</summary>
    public long[] Encode(string text, bool addBos = false, bool addEos = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<long>(text.Length / 2 + 2);
        if (addBos) ids.Add(BosId);
        EncodeInto(text, ids);
        if (addEos) ids.Add(EosId);
        return ids.ToArray();
    }

    /// <summary>Appends the ids of <paramref name="text"/> (no BOS or EOS) to <paramref name="ids"/>.</summary>
    protected abstract void EncodeInto(string text, List<long> ids);

    /// <summary>
    /// The bytes token <paramref name="id"/> stands for: UTF-8 text, possibly part of a character; empty for a special
    /// token. Concatenating the bytes of a text's ids gives back its UTF-8 bytes.
    /// </summary>
    public abstract ReadOnlySpan<byte> TokenBytes(long id);

    /// <summary>The text of <paramref name="ids"/>; special tokens are skipped and invalid UTF-8 becomes U+FFFD.</summary>
    public string Decode(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            CheckId(id);
            if (!IsSpecial(id)) bytes.AddRange(TokenBytes(id));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>The number of UTF-8 bytes token <paramref name="id"/> stands for (0 for a special token).</summary>
    public int ByteLength(long id) => IsSpecial(id) ? 0 : TokenBytes(id).Length;

    /// <summary>A decoder for ids that arrive one at a time: a character split over several tokens is returned once complete.</summary>
    public StreamingTextDecoder CreateStreamingDecoder() => new(this);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for an id outside the vocabulary.</summary>
    protected void CheckId(long id)
    {
        if ((ulong)id >= (ulong)VocabSize)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"token id {id} is outside this tokenizer's vocabulary of {VocabSize}");
    }

    /// <summary>This tokenizer as Hugging Face tokenizer.json.</summary>
    public abstract JObject ToHuggingFaceJson();

    /// <summary>Writes <see cref="FileName"/> and <see cref="ConfigFileName"/> into <paramref name="directory"/> (each file replaced atomically).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        WriteAtomically(Path.Combine(directory, FileName), ToHuggingFaceJson().ToString(Formatting.Indented));
        var roles = Roles;
        var config = new JObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["bos_token"] = roles.Bos,
            ["eos_token"] = roles.Eos,
            ["pad_token"] = roles.Pad,
            ["add_bos_token"] = false,
            ["add_eos_token"] = false,
        };
        WriteAtomically(Path.Combine(directory, ConfigFileName), config.ToString(Formatting.Indented));
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text + "\n", new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// The tokenizer saved in a checkpoint folder: <see cref="FileName"/> in Hugging Face's format (a byte-level BPE
    /// model, which includes the byte tokenizer) or the byte tokenizer's earlier <c>{"type": "byte"}</c> file.
    /// </summary>
    public static LrnnTokenizer FromPretrained(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"no {FileName} in '{directory}'", path);
        var configPath = Path.Combine(directory, ConfigFileName);
        return FromFile(path, File.Exists(configPath) ? configPath : null);
    }

    /// <summary>Reads a Hugging Face tokenizer.json (and optionally its tokenizer_config.json, for the special tokens' roles).</summary>
    public static LrnnTokenizer FromFile(string tokenizerJsonPath, string? tokenizerConfigPath = null)
    {
        JObject json;
        try
        {
            json = JObject.Parse(File.ReadAllText(tokenizerJsonPath));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{tokenizerJsonPath} is not valid JSON: {e.Message}", e);
        }
        if ((string?)json["type"] == ByteTokenizer.Type) return ByteTokenizer.FromLegacyJson(json, tokenizerJsonPath);
        var roles = tokenizerConfigPath is null ? null : SpecialTokenRoles.Read(tokenizerConfigPath);
        var bpe = HuggingFaceTokenizerJson.Read(json, tokenizerJsonPath, roles);
        return ByteTokenizer.Matches(bpe) ? new ByteTokenizer() : bpe;
    }
}
