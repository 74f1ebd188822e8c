using Lrnn.Torch;

namespace Lrnn.Checkpoints;

/// <summary>
/// Finds tensors that share storage (tied weights, such as an LM head tied to the embedding) so that each is
/// stored once, following safetensors' <c>save_model</c>: within a group the ordinally smallest name is kept
/// and every other name maps to it.
/// </summary>
internal static class TiedTensors
{
    /// <summary>Removed name → kept name, for every name whose tensor is stored under another name.</summary>
    public static Dictionary<string, string> FindDuplicates(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var groups = new List<List<KeyValuePair<string, Tensor>>>();
        foreach (var pair in tensors)
        {
            var group = groups.Find(g => g[0].Value.is_alias_of(pair.Value));
            if (group is null) groups.Add([pair]);
            else group.Add(pair);
        }

        var removed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in groups.Where(g => g.Count > 1))
        {
            group.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            var (keptName, kept) = group[0];
            foreach (var (name, tensor) in group.Skip(1))
            {
                RequireSameView(keptName, kept, name, tensor);
                removed.Add(name, keptName);
            }
        }
        return removed;
    }

    /// <summary>
    /// Dropping a name is only lossless when both names view the same elements. Two different views of one
    /// storage (the halves of a fused projection, say) must each be stored; safetensors refuses them rather
    /// than guess, and so does this. Same view = same storage offset, dtype, shape and strides.
    /// </summary>
    private static void RequireSameView(string keptName, Tensor kept, string name, Tensor tensor)
    {
        var same = kept.dtype == tensor.dtype && kept.shape.SequenceEqual(tensor.shape) &&
                   kept.stride().SequenceEqual(tensor.stride()) && kept.storage_offset() == tensor.storage_offset();
        if (!same)
            throw new ArgumentException(
                $"'{name}' ({tensor}) and '{keptName}' ({kept}) share storage but are different views of it; " +
                "a checkpoint stores whole tensors, so clone one of them before saving.");
    }
}
