using Xunit;

namespace Lrnn.Tests.Support;

/// <summary>Element-wise comparison helpers that report the worst element.</summary>
public static class Numerics
{
    public static void AssertClose(double[] expected, double[] actual, double atol, double rtol = 0, string? what = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = -1;
        var worstExcess = 0.0;
        for (var k = 0; k < expected.Length; k++)
        {
            var excess = Math.Abs(expected[k] - actual[k]) - (atol + rtol * Math.Abs(expected[k]));
            if (double.IsNaN(actual[k]) != double.IsNaN(expected[k])) excess = double.PositiveInfinity;
            if (excess > worstExcess)
            {
                worstExcess = excess;
                worst = k;
            }
        }
        if (worst >= 0)
            Assert.Fail($"{what ?? "values"} differ at [{worst}]: expected {expected[worst]:R}, got {actual[worst]:R} (atol {atol}, rtol {rtol})");
    }

    public static void AssertClose(float[] expected, float[] actual, double atol, double rtol = 0, string? what = null) =>
        AssertClose(expected.Select(v => (double)v).ToArray(), actual.Select(v => (double)v).ToArray(), atol, rtol, what);
}
