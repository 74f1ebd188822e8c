namespace Lrnn.Tokenization;

/// <summary>
/// Trains a byte-level BPE tokenizer on a corpus (no served .NET package trains BPE). The text is pre-tokenized with
/// GPT-2's regex (<see cref="ByteLevelPreTokenizer.Gpt2"/>) into word counts; every word starts as its UTF-8 bytes, and
/// each step merges the most frequent adjacent pair of tokens over all words, weighted by their counts (ties: the pair
/// whose left, then right, token has the smaller id), until the vocabulary has <see cref="VocabSize"/> tokens or no pair
/// occurs <see cref="MinFrequency"/> times. Pair counts are updated incrementally from the words that hold the merged pair,
/// and the best pair comes from a priority queue whose stale entries are re-queued when popped, so a step costs in
/// proportion to the words it touches rather than to the corpus. Deterministic: the same corpus gives the same tokenizer.
/// <para>
/// Ids: 0..255 are the bytes (the byte tokenizer's ids), then the special tokens in the order given, then the merged
/// tokens in merge order.
/// </para>
/// </summary>
public sealed class ByteLevelBpeTrainer
{
    /// <param name="vocabSize">Bytes + special tokens + merges.</param>
    /// <param name="specialTokens">Default: &lt;bos&gt;, &lt;eos&gt;, &lt;pad&gt; (the byte tokenizer's, at the same ids 256..258).</param>
    /// <param name="minFrequency">A pair that occurs fewer times is never merged.</param>
    public ByteLevelBpeTrainer(int vocabSize, IReadOnlyList<string>? specialTokens = null, int minFrequency = 2)
    {
        SpecialTokens = specialTokens ?? ["<bos>", "<eos>", "<pad>"];
        if (SpecialTokens.Any(string.IsNullOrEmpty) || SpecialTokens.Distinct(StringComparer.Ordinal).Count() != SpecialTokens.Count)
            throw new ArgumentException("special tokens must be distinct and non-empty", nameof(specialTokens));
        if (vocabSize < ByteTokenizer.ByteCount + SpecialTokens.Count)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize,
                $"the vocabulary needs at least {ByteTokenizer.ByteCount} bytes + {SpecialTokens.Count} special tokens");
        ArgumentOutOfRangeException.ThrowIfLessThan(minFrequency, 1);
        VocabSize = vocabSize;
        MinFrequency = minFrequency;
    }

    public int VocabSize { get; }
    public IReadOnlyList<string> SpecialTokens { get; }
    public int MinFrequency { get; }

    /// <summary>
    /// Trains on <paramref name="documents"/>; <paramref name="roles"/> names BOS, EOS and PAD (default: by the conventional
    /// names). <paramref name="progress"/> receives the fraction of the vocabulary built so far.
    /// </summary>
    public ByteLevelBpeTokenizer Train(IEnumerable<string> documents, SpecialTokenRoles? roles = null, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var (words, counts) = CountWords(documents, cancellationToken);
        var tokens = new List<byte[]>(VocabSize);                      // bytes of each id; specials are null
        for (var b = 0; b < ByteTokenizer.ByteCount; b++) tokens.Add([(byte)b]);
        var specialsStart = tokens.Count;
        foreach (var _ in SpecialTokens) tokens.Add(null!);
        var strings = new HashSet<string>(tokens.Take(specialsStart).Select(t => ByteLevelAlphabet.Encode(t)).Concat(SpecialTokens), StringComparer.Ordinal);

        var pairs = new PairStatistics(words, counts);
        var merges = new List<(int Left, int Right)>();
        while (tokens.Count < VocabSize && pairs.TryTakeBest(MinFrequency, out var left, out var right))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var merged = tokens[left].Concat(tokens[right]).ToArray();
            if (!strings.Add(ByteLevelAlphabet.Encode(merged)))
            {
                pairs.Forbid(left, right);     // the merged text is a special token's: leave the pair unmerged
                continue;
            }
            pairs.Merge(left, right, tokens.Count);
            merges.Add((left, right));
            tokens.Add(merged);
            if (merges.Count % 256 == 0) progress?.Report(tokens.Count / (double)VocabSize);
        }

        progress?.Report(1.0);
        string Text(int id) => ByteLevelAlphabet.Encode(tokens[id]);
        var vocabulary = Enumerable.Range(0, tokens.Count).Where(id => id < specialsStart || id >= specialsStart + SpecialTokens.Count)
            .Select(id => (Text(id), id))
            .Concat(SpecialTokens.Select((s, i) => (s, specialsStart + i)));
        return new ByteLevelBpeTokenizer(vocabulary, merges.Select(m => (Text(m.Left), Text(m.Right))),
            SpecialTokens.Select((s, i) => new AddedToken(s, specialsStart + i, Special: true)), roles, ByteLevelPreTokenizer.Gpt2,
            source: "trained byte-level BPE");
    }

    // Distinct pre-tokenized words as byte ids, with their counts (first-seen order, so the result does not depend on hashing).
    private static (List<int[]> Words, List<long> Counts) CountWords(IEnumerable<string> documents, CancellationToken cancellationToken)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var words = new List<int[]>();
        var counts = new List<long>();
        foreach (var document in documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var piece in ByteLevelPreTokenizer.Gpt2.PreTokenize(document))
            {
                if (index.TryGetValue(piece, out var at))
                {
                    counts[at]++;
                    continue;
                }
                index[piece] = words.Count;
                words.Add([.. System.Text.Encoding.UTF8.GetBytes(piece).Select(b => (int)b)]);
                counts.Add(1);
            }
        }
        return (words, counts);
    }
}
