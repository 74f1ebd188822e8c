using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Lrnn.Benchmarks.Lti;

/// <summary>
/// A ratio of each row's mean time to the mean of another benchmark with the same parameters (mixer, preset,
/// device) in the same run: "× floor" divides by the memory-copy floor, "sequential ÷ this" divides the
/// token-by-token baseline (scaled to the full L) by the row. Both come out of one run, so the lead can read the
/// GPU target from the summary table alone.
/// </summary>
public sealed class LtiRatioColumn : IColumn
{
    /// <summary>Row mean / copy-floor mean: issue 4's target is S4D Forward ≤ 15 at the gpu-wide preset.</summary>
    public static readonly LtiRatioColumn OverCopyFloor = new("× floor", nameof(LtiMixerBenchmarks.CopyFloor), rowOverReference: true);

    /// <summary>Sequential-baseline mean (scaled to L tokens) / row mean, for Forward: the speed-up of the parallel path.</summary>
    public static readonly LtiRatioColumn SequentialOverThis = new("sequential ÷ this", nameof(LtiMixerBenchmarks.Sequential), rowOverReference: false,
        only: nameof(LtiMixerBenchmarks.Forward));

    private readonly string _referenceMethod;
    private readonly bool _rowOverReference;
    private readonly string? _only;

    private LtiRatioColumn(string columnName, string referenceMethod, bool rowOverReference, string? only = null)
    {
        ColumnName = columnName;
        _referenceMethod = referenceMethod;
        _rowOverReference = rowOverReference;
        _only = only;
    }

    public string Id => nameof(LtiRatioColumn) + "." + ColumnName;
    public string ColumnName { get; }
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => _rowOverReference
        ? "mean time / mean time of the memory-copy floor (a copy_ of x: B·L·D floats read and written)"
        : "mean time of the token-by-token Step loop, scaled to L tokens / mean time of Forward";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var method = benchmarkCase.Descriptor.WorkloadMethod.Name;
        if (_only is not null && method != _only) return "-";
        var reference = summary.Reports.FirstOrDefault(r =>
            r.BenchmarkCase.Descriptor.WorkloadMethod.Name == _referenceMethod &&
            r.BenchmarkCase.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo);
        var row = summary[benchmarkCase]?.ResultStatistics?.Mean;
        var referenceMean = reference?.ResultStatistics?.Mean;
        if (row is null || referenceMean is null) return "?";
        var ratio = _rowOverReference
            ? row.Value / referenceMean.Value
            : referenceMean.Value * SequentialScale(benchmarkCase) / row.Value;
        return ratio.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
    }

    // The baseline ran SequentialLength tokens; Forward runs L.
    private static double SequentialScale(BenchmarkCase benchmarkCase)
    {
        var preset = LtiBenchPreset.Named((string)benchmarkCase.Parameters[nameof(LtiMixerBenchmarks.Preset)]);
        return (double)preset.Length / preset.SequentialLength;
    }

    public override string ToString() => ColumnName;
}
