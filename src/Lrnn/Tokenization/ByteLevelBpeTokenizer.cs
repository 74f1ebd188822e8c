using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using MLTokenizers = Microsoft.ML.Tokenizers;

namespace Lrnn.Tokenization;

/// <summary>
/// Byte-level BPE (GPT-2, GPT-NeoX, RoBERTa; the tokenizer <see cref="ByteLevelBpeTrainer"/> trains): text is cut at
/// added tokens, normalized, pre-tokenized (<see cref="ByteLevelPreTokenizer"/>), and each piece's UTF-8 bytes, written
/// with <see cref="ByteLevelAlphabet"/>, are merged by Microsoft.ML.Tokenizers' BPE model in merge-rank order. The steps
/// and their order are Hugging Face <c>tokenizers</c>' (added tokens matched leftmost-longest, first those marked not
/// normalized in the raw text, then the others in the normalized text), so the ids equal its ids.
/// </summary>
public sealed class ByteLevelBpeTokenizer : LrnnTokenizer
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly MLTokenizers.BpeTokenizer _model;
    private readonly byte[]?[] _bytes;                     // by id; null: no token has this id
    private readonly Dictionary<string, int> _specials;
    private readonly AddedToken[] _rawMatched;           // added tokens matched before normalization, longest first
    private readonly AddedToken[] _normalizedMatched;    // ... after it

    /// <param name="vocabulary">Byte-level token strings and their ids (the BPE model's vocabulary).</param>
    /// <param name="merges">The merges in rank order, each a pair of vocabulary strings whose concatenation is in the vocabulary.</param>
    /// <param name="addedTokens">Tokens matched whole in the text (specials among them).</param>
    /// <param name="roles">Which added tokens are BOS, EOS and PAD (null: the conventional names).</param>
    /// <param name="preTokenizer">How text is cut into pieces before BPE.</param>
    /// <param name="normalizer">Applied to the text between added tokens (null: none).</param>
    /// <param name="ignoreMerges">A piece that is a vocabulary token is taken whole, before any merge (Hugging Face's <c>ignore_merges</c>).</param>
    /// <param name="source">Where the tokenizer comes from, for error messages.</param>
    public ByteLevelBpeTokenizer(IEnumerable<(string Token, int Id)> vocabulary, IEnumerable<(string Left, string Right)> merges,
        IEnumerable<AddedToken> addedTokens, SpecialTokenRoles? roles, ByteLevelPreTokenizer preTokenizer, TextNormalizer? normalizer = null,
        bool ignoreMerges = false, string source = "byte-level BPE")
    {
        _vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocabulary)
        {
            if (id < 0) throw new InvalidDataException($"{source}: token '{token}' has the negative id {id}");
            if (!_vocabulary.TryAdd(token, id)) throw new InvalidDataException($"{source}: token '{token}' appears twice in the vocabulary");
        }
        if (_vocabulary.Count == 0) throw new InvalidDataException($"{source}: the vocabulary is empty");
        Merges = merges.ToList();
        foreach (var (left, right) in Merges)
        {
            if (!_vocabulary.ContainsKey(left) || !_vocabulary.ContainsKey(right) || !_vocabulary.ContainsKey(left + right))
                throw new InvalidDataException($"{source}: the merge '{left}' + '{right}' names a token that is not in the vocabulary");
        }
        AddedTokens = addedTokens.ToList();
        PreTokenizer = preTokenizer;
        Normalizer = normalizer;
        IgnoreMerges = ignoreMerges;

        VocabSize = Math.Max(_vocabulary.Values.Max(), AddedTokens.Count == 0 ? -1 : AddedTokens.Max(t => t.Id)) + 1;
        _bytes = new byte[VocabSize][];
        foreach (var (token, id) in _vocabulary)
        {
            // Hugging Face's ByteLevel decoder: a token with a character outside the alphabet stands for its own UTF-8.
            _bytes[id] = ByteLevelAlphabet.TryDecode(token) ?? Encoding.UTF8.GetBytes(token);
        }
        _specials = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var added in AddedTokens)
        {
            if (added.Content.Length == 0) throw new InvalidDataException($"{source}: added token {added.Id} is empty");
            if (added.Id < 0) throw new InvalidDataException($"{source}: added token '{added.Content}' has the negative id {added.Id}");
            if (_vocabulary.TryGetValue(added.Content, out var inVocabulary) && inVocabulary != added.Id)
                throw new InvalidDataException($"{source}: added token '{added.Content}' has id {added.Id} but the vocabulary gives it {inVocabulary}");
            _bytes[added.Id] = added.Special ? [] : Encoding.UTF8.GetBytes(added.Content);
            if (added.Special) _specials[added.Content] = added.Id;
        }
        _rawMatched = [.. AddedTokens.Where(t => !t.Normalized || normalizer is null).OrderByDescending(t => t.Content.Length)];
        _normalizedMatched = [.. AddedTokens.Where(t => t.Normalized && normalizer is not null).OrderByDescending(t => t.Content.Length)];
        (BosId, EosId, PadId) = (roles ?? new SpecialTokenRoles(null, null, null)).Resolve(
            AddedTokens.GroupBy(t => t.Content).ToDictionary(g => g.Key, g => g.First().Id), source);
        Roles = new SpecialTokenRoles(ContentOf(BosId), ContentOf(EosId), ContentOf(PadId));

        // Microsoft.ML.Tokenizers' BPE model does the merging: ByteLevel maps each piece's UTF-8 bytes to the alphabet;
        // the pieces come from our pre-tokenizer, so its own pre-tokenizer and normalizer stay off.
        _model = MLTokenizers.BpeTokenizer.Create(new MLTokenizers.BpeOptions(_vocabulary)
        {
            Merges = Merges.Select(m => m.Left + " " + m.Right),
            ByteLevel = true,
            PreTokenizer = null,
            Normalizer = null,
        });
    }

    public override int VocabSize { get; }
    public override int BosId { get; }
    public override int EosId { get; }
    public override int PadId { get; }
    public override IReadOnlyDictionary<string, int> SpecialTokens => _specials;

    /// <summary>The merges in rank order.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    public IReadOnlyList<AddedToken> AddedTokens { get; }
    public IReadOnlyDictionary<string, int> Vocabulary => _vocabulary;
    public ByteLevelPreTokenizer PreTokenizer { get; }
    public TextNormalizer? Normalizer { get; }
    public bool IgnoreMerges { get; }
    public override SpecialTokenRoles Roles { get; }

    private string ContentOf(int id) => AddedTokens.First(t => t.Id == id).Content;

    public override ReadOnlySpan<byte> TokenBytes(long id)
    {
        CheckId(id);
        return _bytes[id] ?? throw new ArgumentOutOfRangeException(nameof(id), id, $"no token has id {id}");
    }

    protected override void EncodeInto(string text, List<long> ids)
    {
        foreach (var (raw, rawToken) in SplitOnAddedTokens(text, _rawMatched))
        {
            if (rawToken is not null)
            {
                ids.Add(rawToken.Id);
                continue;
            }
            var normalized = Normalizer?.Apply(raw) ?? raw;
            foreach (var (piece, token) in SplitOnAddedTokens(normalized, _normalizedMatched))
            {
                if (token is not null) ids.Add(token.Id);
                else EncodeOrdinaryText(piece, ids);
            }
        }
    }

    private void EncodeOrdinaryText(string text, List<long> ids)
    {
        foreach (var piece in PreTokenizer.PreTokenize(text))
        {
            if (IgnoreMerges && _vocabulary.TryGetValue(ByteLevelAlphabet.EncodeText(piece), out var whole))
            {
                ids.Add(whole);
                continue;
            }
            foreach (var id in _model.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false)) ids.Add(id);
        }
    }

    // The stretches of text and the added tokens between them, leftmost-longest (Hugging Face's AddedVocabulary).
    private static IEnumerable<(string Text, AddedToken? Token)> SplitOnAddedTokens(string text, AddedToken[] tokens)
    {
        if (tokens.Length == 0 || text.Length == 0)
        {
            if (text.Length > 0) yield return (text, null);
            yield break;
        }
        var start = 0;
        for (var at = 0; at < text.Length;)
        {
            AddedToken? found = null;
            foreach (var token in tokens)            // longest first
            {
                if (token.Content[0] == text[at] && string.CompareOrdinal(text, at, token.Content, 0, token.Content.Length) == 0)
                {
                    found = token;
                    break;
                }
            }
            if (found is null)
            {
                at++;
                continue;
            }
            if (at > start) yield return (text[start..at], null);
            yield return ("", found);
            at += found.Content.Length;
            start = at;
        }
        if (start < text.Length) yield return (text[start..], null);
    }

    public override JObject ToHuggingFaceJson()
    {
        var vocabulary = new JObject();
        foreach (var (token, id) in _vocabulary.OrderBy(kv => kv.Value)) vocabulary[token] = id;
        return new JObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JArray(AddedTokens.OrderBy(t => t.Id).Select(t => new JObject
            {
                ["id"] = t.Id, ["content"] = t.Content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = t.Normalized, ["special"] = t.Special,
            })),
            ["normalizer"] = Normalizer?.ToJson(),
            ["pre_tokenizer"] = PreTokenizer.ToJson(),
            ["post_processor"] = null,
            ["decoder"] = new JObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = IgnoreMerges,
                ["vocab"] = vocabulary,
                ["merges"] = new JArray(Merges.Select(m => new JArray(m.Left, m.Right))),
            },
        };
    }

    /// <summary>
    /// GPT-2-style <c>vocab.json</c> (token → id) and <c>merges.txt</c> (one "left right" pair a line, after an optional
    /// <c>#version</c> line), with GPT-2's pre-tokenizer. <paramref name="specialTokens"/> names the vocabulary entries
    /// that are special (default: those written <c>&lt;|…|&gt;</c>, such as <c>&lt;|endoftext|&gt;</c>).
    /// </summary>
    public static ByteLevelBpeTokenizer FromVocabAndMerges(string vocabJsonPath, string mergesTxtPath, IEnumerable<string>? specialTokens = null,
        SpecialTokenRoles? roles = null)
    {
        Dictionary<string, int> vocabulary;
        try
        {
            vocabulary = JsonConvert.DeserializeObject<Dictionary<string, int>>(File.ReadAllText(vocabJsonPath))
                         ?? throw new InvalidDataException($"{vocabJsonPath} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{vocabJsonPath} is not a JSON object of token → id: {e.Message}", e);
        }
        var merges = new List<(string, string)>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(mergesTxtPath))
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal))) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new InvalidDataException($"{mergesTxtPath}:{lineNumber}: a merge is two tokens separated by one space, not '{line}'");
            merges.Add((parts[0], parts[1]));
        }
        var specials = specialTokens?.ToList() ??
                       vocabulary.Keys.Where(k => k.Length > 4 && k.StartsWith("<|", StringComparison.Ordinal) && k.EndsWith("|>", StringComparison.Ordinal)).ToList();
        var added = specials.Select(s => vocabulary.TryGetValue(s, out var id)
            ? new AddedToken(s, id, Special: true)
            : throw new InvalidDataException($"{vocabJsonPath}: special token '{s}' is not in the vocabulary"));
        return new ByteLevelBpeTokenizer(vocabulary.Select(kv => (kv.Key, kv.Value)), merges, added, roles, ByteLevelPreTokenizer.Gpt2,
            source: vocabJsonPath);
    }
}
