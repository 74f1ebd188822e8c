using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Support.GradCheck;

namespace Lrnn.Tests.Torch;

public class ReductionTests
{
    // X is (3, 4), row-major.
    private const int Rows = 3, Cols = 4;
    private static readonly double[] X = { 0.5, -1.25, 3.0, 2.0, -4.0, 1.5, 0.25, -0.75, 2.5, 2.5, -3.5, 1.0 };

    private static double[] Row(int i) => X[(i * Cols)..((i + 1) * Cols)];
    private static double[] Column(int j) => Enumerable.Range(0, Rows).Select(i => X[i * Cols + j]).ToArray();
    private static double[] PerRow(Func<double[], double> f) => Enumerable.Range(0, Rows).Select(i => f(Row(i))).ToArray();
    private static double[] PerColumn(Func<double[], double> f) => Enumerable.Range(0, Cols).Select(j => f(Column(j))).ToArray();

    private static double Variance(double[] v, int correction)
    {
        var mean = v.Average();
        return v.Sum(x => (x - mean) * (x - mean)) / (v.Length - correction);
    }

    private static double LogSumExp(double[] v)
    {
        var m = v.Max();
        return m + Math.Log(v.Sum(x => Math.Exp(x - m)));
    }

    private static Tensor Matrix(string dev, bool requiresGrad = false) => torch.tensor(X, new long[] { Rows, Cols }, dev, requiresGrad);

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void SumAndMeanHonourDimsKeepdimAndDtype(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Matrix(dev);
        Assert.Equal(X.Sum(), x.sum().item<double>(), 14);
        Numerics.AssertClose(PerRow(r => r.Sum()), x.sum(1).ToArray<double>(), 1e-14, what: "sum(1)");
        Numerics.AssertClose(PerColumn(c => c.Average()), x.mean(0).ToArray<double>(), 1e-14, what: "mean(0)");
        Assert.Equal(new long[] { 3, 1 }, x.mean(1, keepdim: true).shape);
        Assert.Equal(X.Average(), x.mean(new long[] { 0, 1 }).item<double>(), 14);

        // dtype: the input is cast first, so int64 means work and float32 sums accumulate in float64.
        var ints = torch.arange(10, device: dev);
        var m = ints.mean(dtype: ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, m.dtype);
        Assert.Equal(4.5, m.item<double>());
        var f32 = x.to(ScalarType.Float32);
        Assert.Equal(ScalarType.Float64, f32.sum(1, dtype: ScalarType.Float64).dtype);
        Assert.Equal(ScalarType.Float64, f32.mean(new long[] { 0 }, dtype: ScalarType.Float64).dtype);
        Assert.Equal(ScalarType.Float64, f32.sum(dtype: ScalarType.Float64).dtype);
        Assert.Equal(new long[] { 1, 1 }, x.sum(keepdim: true).shape);
        Assert.Equal(X.Sum(), x.sum(keepdim: true).item<double>(), 14);

        // The literal 0 is a dimension, not a dtype (C# would happily convert 0 to ScalarType.Byte).
        Assert.Equal(new long[] { 4 }, x.sum(0).shape);
        Assert.Equal(new long[] { 4 }, x.mean(0).shape);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LogSumExpIsStableAndDifferentiable(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Matrix(dev);
        Numerics.AssertClose(PerRow(LogSumExp), x.logsumexp(1).ToArray<double>(), 1e-14, what: "logsumexp(1)");
        Numerics.AssertClose(new[] { LogSumExp(X) }, x.logsumexp(new long[] { 0, 1 }).ToArray<double>(), 1e-14, what: "logsumexp(all)");
        // exp(1000) overflows; a naive log(sum(exp)) would give inf.
        var big = torch.tensor(new[] { 1000.0, 1000.0 }, device: dev);
        Assert.Equal(1000 + Math.Log(2), big.logsumexp(0).item<double>(), 12);
        Assert.Equal(new long[] { 1, 4 }, x.logsumexp(0, keepdim: true).shape);
        AssertGradient(t => (t.logsumexp(1) * torch.tensor(new[] { 1.0, -2.0, 0.5 }, device: dev)).sum(), X, new long[] { Rows, Cols }, dev);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CumulativeSumAndProduct(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Matrix(dev);
        var expectedSum = new double[X.Length];
        var expectedProd = new double[X.Length];
        for (var i = 0; i < Rows; i++)
        {
            double s = 0, p = 1;
            for (var j = 0; j < Cols; j++)
            {
                s += X[i * Cols + j];
                p *= X[i * Cols + j];
                expectedSum[i * Cols + j] = s;
                expectedProd[i * Cols + j] = p;
            }
        }
        Numerics.AssertClose(expectedSum, x.cumsum(1).ToArray<double>(), 1e-14, what: "cumsum");
        Numerics.AssertClose(expectedProd, x.cumprod(-1).ToArray<double>(), 1e-13, what: "cumprod");
        var down = x.cumsum(0).ToArray<double>();
        Assert.Equal(X[0] + X[4] + X[8], down[8], 14);
        var ints = torch.tensor(new long[] { 1, 2, 3 }, device: dev);
        var c = ints.cumsum(0, ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, c.dtype);
        Assert.Equal(new[] { 1.0, 3.0, 6.0 }, c.ToArray<double>());
        AssertGradient(t => (t.cumprod(1) * torch.tensor(Uniform(12, 7), new long[] { 3, 4 }, dev)).sum(), X, new long[] { Rows, Cols }, dev);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void VarianceAndStandardDeviation(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Matrix(dev);
        Assert.Equal(Variance(X, 1), x.var().item<double>(), 13);
        Assert.Equal(Variance(X, 0), x.var(unbiased: false).item<double>(), 13);
        Numerics.AssertClose(PerRow(r => Variance(r, 1)), x.var(1).ToArray<double>(), 1e-13, what: "var(1)");
        Numerics.AssertClose(PerColumn(c => Variance(c, 0)), x.var(0, unbiased: false).ToArray<double>(), 1e-13, what: "var(0, biased)");
        Numerics.AssertClose(PerRow(r => Variance(r, 2)), x.var(new long[] { 1 }, correction: 2).ToArray<double>(), 1e-13, what: "var correction 2");
        Numerics.AssertClose(PerRow(r => Math.Sqrt(Variance(r, 1))), x.std(1).ToArray<double>(), 1e-13, what: "std(1)");
        Numerics.AssertClose(new[] { Math.Sqrt(Variance(X, 0)) }, x.std(null, correction: 0).ToArray<double>(), 1e-13, what: "std all");
        Assert.Equal(new long[] { 3, 1 }, x.std(1, keepdim: true).shape);
        AssertGradient(t => (t.var(1) * torch.tensor(new[] { 1.0, -2.0, 0.5 }, device: dev)).sum(), X, new long[] { Rows, Cols }, dev);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ExtremaAndTheirIndices(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Matrix(dev);
        Assert.Equal(X.Max(), x.max().item<double>());
        Assert.Equal(X.Min(), x.min().item<double>());
        var (values, indices) = x.max(1);
        Assert.Equal(PerRow(r => r.Max()), values.ToArray<double>());
        Assert.Equal(ScalarType.Int64, indices.dtype);
        // Row 2 has a tie (2.5, 2.5) : any of the tied positions is a valid answer, both must hold the max.
        var maxAt = indices.ToArray<long>();
        for (var i = 0; i < Rows; i++) Assert.Equal(Row(i).Max(), Row(i)[maxAt[i]]);
        var (minValues, minIndices) = x.min(0, keepdim: true);
        Assert.Equal(new long[] { 1, 4 }, minValues.shape);
        Assert.Equal(PerColumn(c => c.Min()), minValues.ToArray<double>());
        Assert.Equal(PerColumn(c => Array.IndexOf(c, c.Min())).Select(v => (long)v), minIndices.ToArray<long>());
        Assert.Equal(PerColumn(c => c.Max()), x.amax(0).ToArray<double>());
        Assert.Equal(PerRow(r => r.Min()), x.amin(1).ToArray<double>());
        Assert.Equal(X.Max(), x.amax(new long[] { 0, 1 }).item<double>());
        Assert.Equal(X.Min(), x.amin(new long[] { 0, 1 }).item<double>());
        Assert.Equal(Array.IndexOf(X, X.Max()), x.argmax().item<long>());
        Assert.Equal(Array.IndexOf(X, X.Min()), x.argmin().item<long>());
        Assert.Equal(PerRow(r => Array.IndexOf(r, r.Min())).Select(v => (long)v), x.argmin(1).ToArray<long>());
        Assert.Equal(new long[] { 3, 1 }, x.argmax(1, keepdim: true).shape);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void TopkAndSort(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var v = new[] { 0.3, -1.0, 2.0, 0.3, 5.0, -2.0, 0.3 };
        var t = torch.tensor(v, device: dev);
        var (top, topAt) = t.topk(3);
        Assert.Equal(new[] { 5.0, 2.0, 0.3 }, top.ToArray<double>());
        Assert.Equal(new long[] { 4, 2 }, topAt.ToArray<long>()[..2]);
        Assert.Equal(0.3, v[topAt.ToArray<long>()[2]]);
        var (bottom, bottomAt) = t.topk(2, largest: false);
        Assert.Equal(new[] { -2.0, -1.0 }, bottom.ToArray<double>());
        Assert.Equal(new long[] { 5, 1 }, bottomAt.ToArray<long>());

        var (sorted, order) = t.sort(stable: true);
        Assert.Equal(v.OrderBy(a => a).ToArray(), sorted.ToArray<double>());
        // Stable: the three 0.3 entries keep their original order 0, 3, 6.
        Assert.Equal(new long[] { 5, 1, 0, 3, 6, 2, 4 }, order.ToArray<long>());
        var (desc, descOrder) = t.sort(descending: true, stable: true);
        Assert.Equal(v.OrderByDescending(a => a).ToArray(), desc.ToArray<double>());
        Assert.Equal(new long[] { 4, 2, 0, 3, 6, 1, 5 }, descOrder.ToArray<long>());

        // Along dim 0 of a matrix: each column sorted on its own.
        var x = Matrix(dev);
        var (columns, _) = x.sort(0);
        var got = columns.ToArray<double>();
        for (var j = 0; j < Cols; j++)
            Assert.Equal(Column(j).OrderBy(a => a), Enumerable.Range(0, Rows).Select(i => got[i * Cols + j]));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void VectorNorms(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Matrix(dev);
        Assert.Equal(Math.Sqrt(X.Sum(a => a * a)), x.norm().item<double>(), 13);
        Assert.Equal(X.Sum(Math.Abs), x.norm(1).item<double>(), 13);
        Assert.Equal(Math.Pow(X.Sum(a => Math.Pow(Math.Abs(a), 3)), 1.0 / 3), x.norm(3).item<double>(), 13);
        Assert.Equal(X.Max(Math.Abs), x.norm(double.PositiveInfinity).item<double>());
        Assert.Equal(X.Min(Math.Abs), x.norm(double.NegativeInfinity).item<double>());
        Numerics.AssertClose(PerRow(r => Math.Sqrt(r.Sum(a => a * a))), x.norm(2, 1).ToArray<double>(), 1e-14, what: "norm(2, dim 1)");
        Numerics.AssertClose(PerColumn(c => c.Max(Math.Abs)), x.norm(double.PositiveInfinity, 0).ToArray<double>(), 0, what: "norm(inf, dim 0)");
        Assert.Equal(new long[] { 1, 1 }, x.norm(2, new long[] { 0, 1 }, keepdim: true).shape);
        AssertGradient(t => t.norm(2, 1).sum(), X, new long[] { Rows, Cols }, dev);
    }
}
