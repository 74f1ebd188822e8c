namespace Lrnn.Tokenization;

/// <summary>
/// The BPE trainer's state: every distinct word as a list of token ids with its count, the weighted count of every
/// adjacent pair, the words each pair occurs in, and a max-priority queue of pairs (count, then smaller ids first) whose
/// entries may be stale: a popped entry whose count is out of date is queued again with its current count. Only pairs
/// that contain a newly merged token ever grow, and they are queued after each merge, so the first up-to-date entry
/// popped is the best pair.
/// </summary>
internal sealed class PairStatistics
{
    private readonly List<int>[] _words;
    private readonly long[] _wordCounts;
    private readonly Dictionary<long, long> _counts = new();
    private readonly Dictionary<long, HashSet<int>> _where = new();
    private readonly HashSet<long> _forbidden = new();
    private readonly PriorityQueue<long, (long NegativeCount, long Key)> _queue = new();

    public PairStatistics(List<int[]> words, List<long> counts)
    {
        _words = words.Select(w => new List<int>(w)).ToArray();
        _wordCounts = counts.ToArray();
        for (var w = 0; w < _words.Length; w++)
        {
            var symbols = _words[w];
            for (var i = 0; i + 1 < symbols.Count; i++) Add(Key(symbols[i], symbols[i + 1]), _wordCounts[w], w);
        }
        foreach (var (key, count) in _counts) _queue.Enqueue(key, (-count, key));
    }

    // Left id in the high half: ordering keys orders pairs by left, then right id.
    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private void Add(long key, long count, int word)
    {
        _counts[key] = _counts.GetValueOrDefault(key) + count;
        if (count > 0)
        {
            if (!_where.TryGetValue(key, out var set)) _where[key] = set = [];
            set.Add(word);
        }
    }

    /// <summary>The most frequent pair occurring at least <paramref name="minFrequency"/> times, if any.</summary>
    public bool TryTakeBest(int minFrequency, out int left, out int right)
    {
        while (_queue.TryDequeue(out var key, out var priority))
        {
            var current = _counts.GetValueOrDefault(key);
            if (current <= 0 || _forbidden.Contains(key)) continue;
            if (current != -priority.NegativeCount)
            {
                _queue.Enqueue(key, (-current, key));
                continue;
            }
            if (current < minFrequency) break;
            left = (int)(key >> 32);
            right = (int)(uint)key;
            return true;
        }
        left = right = -1;
        return false;
    }

    public void Forbid(int left, int right) => _forbidden.Add(Key(left, right));

    /// <summary>Replaces every occurrence of (left, right) by <paramref name="merged"/>, left to right within each word.</summary>
    public void Merge(int left, int right, int merged)
    {
        var key = Key(left, right);
        var grown = new HashSet<long>();
        foreach (var w in _where[key].Order())
        {
            var symbols = _words[w];
            var count = _wordCounts[w];
            for (var i = 0; i + 1 < symbols.Count; i++)
            {
                if (symbols[i] != left || symbols[i + 1] != right) continue;
                if (i > 0)
                {
                    Add(Key(symbols[i - 1], left), -count, w);
                    Add(Key(symbols[i - 1], merged), count, w);
                    grown.Add(Key(symbols[i - 1], merged));
                }
                if (i + 2 < symbols.Count)
                {
                    Add(Key(right, symbols[i + 2]), -count, w);
                    Add(Key(merged, symbols[i + 2]), count, w);
                    grown.Add(Key(merged, symbols[i + 2]));
                }
                Add(key, -count, w);
                symbols[i] = merged;
                symbols.RemoveAt(i + 1);
            }
        }
        _where.Remove(key);
        _counts.Remove(key);
        foreach (var g in grown)
        {
            var count = _counts.GetValueOrDefault(g);
            if (count > 0) _queue.Enqueue(g, (-count, g));
        }
    }
}
