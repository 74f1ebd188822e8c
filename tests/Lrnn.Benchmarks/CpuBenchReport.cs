using System.Globalization;

namespace Lrnn.Benchmarks;

/// <summary>The one-line results the CPU benchmarks print (key=value), for scripts and for reading regressions at a glance.</summary>
internal static class CpuBenchReport
{
    /// <summary>The median of the timed calls, warm-up included (robust to the few slow first calls); clears them.</summary>
    public static double Median(List<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        milliseconds.Clear();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    public static void Print(string key, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}={value:F2}"));
}
