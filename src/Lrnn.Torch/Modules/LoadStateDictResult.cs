using System.Text;

namespace Lrnn.Torch.Modules;

/// <summary>What <see cref="Module.load_state_dict"/> found: keys the module has but the source lacks, keys the
/// source has but the module lacks, and keys present in both with different shapes.</summary>
public sealed class LoadStateDictResult
{
    public LoadStateDictResult(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<ShapeMismatch> mismatched)
    {
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
    }

    public IReadOnlyList<string> Missing { get; }
    public IReadOnlyList<string> Unexpected { get; }
    public IReadOnlyList<ShapeMismatch> Mismatched { get; }

    /// <summary>True when every key matched in name and shape.</summary>
    public bool IsExactMatch => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>One line per kind of problem, e.g. "Missing keys: a.weight, b.bias".</summary>
    public override string ToString()
    {
        if (IsExactMatch) return "All keys matched.";
        var s = new StringBuilder();
        if (Missing.Count > 0) s.AppendLine("Missing keys: " + string.Join(", ", Missing));
        if (Unexpected.Count > 0) s.AppendLine("Unexpected keys: " + string.Join(", ", Unexpected));
        if (Mismatched.Count > 0) s.AppendLine("Shape mismatches: " + string.Join("; ", Mismatched));
        return s.ToString().TrimEnd();
    }
}
