namespace Lrnn.Config;

/// <summary>
/// A vocabulary made of named parts (d9d's split_vocab_size + split_order): part k holds the global ids
/// [start_k, start_k + size_k), the parts laid end to end in <see cref="Order"/>. Shared by the split head
/// (Lrnn.Heads.SplitLMHead) and the split embeddings (Lrnn.Modules.SplitTokenEmbeddings) so both agree on every id.
/// </summary>
public sealed class SplitVocabulary
{
    public SplitVocabulary(IReadOnlyDictionary<string, long> sizes, IReadOnlyList<string> order)
    {
        var problems = Problems(sizes, order, expectedTotal: null).ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(sizes));
        var parts = new List<Part>();
        long start = 0;
        foreach (var name in order)
        {
            parts.Add(new Part(name, start, sizes[name]));
            start += sizes[name];
        }
        Parts = parts;
        Size = start;
    }

    /// <summary>One named part: global ids [Start, Start + Size).</summary>
    public readonly record struct Part(string Name, long Start, long Size);

    /// <summary>The parts in vocabulary order.</summary>
    public IReadOnlyList<Part> Parts { get; }

    public IEnumerable<string> Order => Parts.Select(p => p.Name);

    /// <summary>The size of the whole vocabulary.</summary>
    public long Size { get; }

    public Part this[string name] => Parts.FirstOrDefault(p => p.Name == name) is { Name: not null } part
        ? part
        : throw new KeyNotFoundException($"no split named '{name}' (splits: {string.Join(", ", Order)})");

    internal static IEnumerable<string> Problems(IReadOnlyDictionary<string, long>? sizes, IReadOnlyList<string>? order, long? expectedTotal)
    {
        if (sizes is null || sizes.Count == 0 || order is null || order.Count == 0)
        {
            yield return "a split vocabulary needs split_vocab_size and split_order, both non-empty";
            yield break;
        }
        foreach (var (name, size) in sizes)
        {
            if (size <= 0) yield return $"split '{name}' must have a positive size, got {size}";
            if (name.Length == 0 || name.Contains('.')) yield return $"split name '{name}' must be non-empty and contain no '.' (it is a state-dict key)";
        }
        if (order.Count != order.Distinct().Count() || !order.ToHashSet().SetEquals(sizes.Keys))
            yield return $"split_order [{string.Join(", ", order)}] must name every split of split_vocab_size [{string.Join(", ", sizes.Keys)}] exactly once";
        else if (expectedTotal is { } total && sizes.Values.Sum() != total)
            yield return $"the splits add up to {sizes.Values.Sum()} tokens but the model's (padded) vocabulary has {total}";
    }
}
