using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Support.GradCheck;
using F = Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Tests.Torch;

public class LossTests
{
    private const int N = 5, C = 4;
    private static readonly double[] Logits = Uniform(N * C, 41, -3, 3);
    private static readonly long[] Target = { 2, 0, -100, 3, 1 };
    private static readonly double[] Weight = { 0.5, 1.0, 2.0, 0.25 };

    /// <summary>
    /// Dense float64 cross-entropy of rows (n, c): per-row losses (0 where ignored) and the divisor of "mean"
    /// (the summed target weights). With label smoothing ε, loss = (1−ε)·w_y·(−log p_y) + ε/C·Σ_c w_c·(−log p_c).
    /// </summary>
    private static (double[] losses, double divisor) CrossEntropyReference(double[] logits, long[] target, int n, int c,
        double[]? weight, long ignoreIndex, double smoothing)
    {
        var losses = new double[n];
        var divisor = 0.0;
        for (var i = 0; i < n; i++)
        {
            if (target[i] == ignoreIndex) continue;
            var row = logits[(i * c)..((i + 1) * c)];
            var m = row.Max();
            var lse = m + Math.Log(row.Sum(v => Math.Exp(v - m)));
            var y = (int)target[i];
            var wy = weight?[y] ?? 1;
            var nll = -wy * (row[y] - lse);
            var smooth = -Enumerable.Range(0, c).Sum(k => (weight?[k] ?? 1) * (row[k] - lse));
            losses[i] = (1 - smoothing) * nll + smoothing / c * smooth;
            divisor += wy;
        }
        return (losses, divisor);
    }

    private static double[] Reduce((double[] losses, double divisor) r, string reduction) => reduction switch
    {
        "mean" => new[] { r.losses.Sum() / r.divisor },
        "sum" => new[] { r.losses.Sum() },
        _ => r.losses,
    };

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CrossEntropyMatchesTheDenseLogSoftmaxReference(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.tensor(Logits, new long[] { N, C }, dev);
        var target = torch.tensor(Target, device: dev);
        var weight = torch.tensor(Weight, device: dev);
        foreach (var weighted in new[] { false, true })
        foreach (var smoothing in new[] { 0.0, 0.1 })
        foreach (var reduction in new[] { "mean", "sum", "none" })
        {
            var expected = Reduce(CrossEntropyReference(Logits, Target, N, C, weighted ? Weight : null, -100, smoothing), reduction);
            var loss = F.cross_entropy(logits, target, weighted ? weight : null, reduction: reduction, label_smoothing: smoothing);
            Numerics.AssertClose(expected, loss.ToArray<double>(), 1e-14, 1e-13, $"weighted {weighted}, smoothing {smoothing}, {reduction}");
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CrossEntropyOverSpatialLogitsUsesDimensionOneForClasses(string dev)
    {
        using var scope = torch.NewDisposeScope();
        // (B, C, L) logits and (B, L) targets, with a custom ignore_index.
        const int b = 2, c = 3, l = 4;
        var x = Uniform(b * c * l, 42);
        var target = new long[] { 0, 2, -1, 1, 1, 1, 0, 2 };
        var rows = new double[b * l * c]; // (B·L, C)
        for (var i = 0; i < b; i++)
        for (var k = 0; k < c; k++)
        for (var j = 0; j < l; j++)
            rows[(i * l + j) * c + k] = x[(i * c + k) * l + j];
        var reference = CrossEntropyReference(rows, target, b * l, c, null, -1, 0.05);
        var logits = torch.tensor(x, new long[] { b, c, l }, dev);
        var t = torch.tensor(target, new long[] { b, l }, dev);
        var none = F.cross_entropy(logits, t, ignore_index: -1, reduction: "none", label_smoothing: 0.05);
        Assert.Equal(new long[] { b, l }, none.shape);
        Numerics.AssertClose(reference.losses, none.ToArray<double>(), 1e-14, 1e-13, "none");
        Numerics.AssertClose(Reduce(reference, "mean"), F.cross_entropy(logits, t, ignore_index: -1, label_smoothing: 0.05).ToArray<double>(), 1e-14, 1e-13, "mean");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AllIgnoredBatchGivesNaNForMeanAndZeroForSum(string dev)
    {
        // libtorch (and PyTorch) divide the summed loss by the summed weight of the kept targets: 0/0 = NaN for
        // "mean". This binding reports it as is; callers use "sum" with their own token count when batches can be
        // fully masked.
        using var scope = torch.NewDisposeScope();
        var logits = torch.tensor(Logits, new long[] { N, C }, dev);
        var target = torch.full(new long[] { N }, -100, ScalarType.Int64, (Device)dev);
        Assert.True(double.IsNaN(F.cross_entropy(logits, target).item<double>()));
        Assert.True(double.IsNaN(F.cross_entropy(logits, target, label_smoothing: 0.1).item<double>()));
        Assert.Equal(0.0, F.cross_entropy(logits, target, reduction: "sum").item<double>());
        Assert.Equal(new double[N], F.cross_entropy(logits, target, reduction: "none").ToArray<double>());
        Assert.True(double.IsNaN(F.nll_loss(logits.log_softmax(1), target).item<double>()));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CrossEntropyGradientMatchesFiniteDifferences(string dev)
    {
        using var target = torch.tensor(Target, device: dev);
        using var weight = torch.tensor(Weight, device: dev);
        AssertGradient(x => F.cross_entropy(x, target, weight, label_smoothing: 0.2), (double[])Logits.Clone(), new long[] { N, C }, dev);
        AssertGradient(x => F.cross_entropy(x, target, reduction: "sum"), (double[])Logits.Clone(), new long[] { N, C }, dev);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CrossEntropyAcceptsClassProbabilities(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var p = Uniform(N * C, 43, 0, 1);
        for (var i = 0; i < N; i++)
        {
            var s = p[(i * C)..((i + 1) * C)].Sum();
            for (var k = 0; k < C; k++) p[i * C + k] /= s;
        }
        var expected = 0.0;
        for (var i = 0; i < N; i++)
        {
            var row = Logits[(i * C)..((i + 1) * C)];
            var lse = Math.Log(row.Sum(Math.Exp));
            for (var k = 0; k < C; k++) expected -= p[i * C + k] * (row[k] - lse);
        }
        var loss = F.cross_entropy(torch.tensor(Logits, new long[] { N, C }, dev), torch.tensor(p, new long[] { N, C }, dev));
        Assert.Equal(expected / N, loss.item<double>(), 13);
    }

    [Fact]
    public void TargetMistakesNameTheShapes()
    {
        using var scope = torch.NewDisposeScope();
        // The classic: (B, L, C) language-model logits passed without flattening.
        var logits = torch.zeros(2, 3, 5);
        var e = Assert.Throws<ArgumentException>(() => F.cross_entropy(logits, torch.zeros(new long[] { 2, 3 }, ScalarType.Int64)));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[2, 3, 5]", e.Message);
        Assert.Contains("view(-1, 5)", e.Message);

        e = Assert.Throws<ArgumentException>(() => F.cross_entropy(torch.zeros(4, 5), torch.zeros(new long[] { 4, 1 }, ScalarType.Int64)));
        Assert.Contains("need shape [4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.cross_entropy(torch.zeros(4, 5), torch.zeros(new long[] { 4 }, ScalarType.Int32)));
        Assert.Contains("Int64", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.cross_entropy(torch.zeros(4, 5), torch.zeros(4, 4)));
        Assert.Contains("[4, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.nll_loss(torch.zeros(4, 5), torch.zeros(new long[] { 3 }, ScalarType.Int64)));
        Assert.Contains("nll_loss", e.Message);
        Assert.Throws<ArgumentException>(() => F.cross_entropy(torch.zeros(4, 5), torch.zeros(new long[] { 4 }, ScalarType.Int64), reduction: "avg"));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void NllLossPicksTheTargetLogProbability(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var logProbs = torch.tensor(Logits, new long[] { N, C }, dev).log_softmax(1);
        var target = torch.tensor(Target, device: dev);
        var weight = torch.tensor(Weight, device: dev);
        foreach (var reduction in new[] { "mean", "sum", "none" })
        {
            var expected = Reduce(CrossEntropyReference(Logits, Target, N, C, Weight, -100, 0), reduction);
            Numerics.AssertClose(expected, F.nll_loss(logProbs, target, weight, reduction: reduction).ToArray<double>(), 1e-14, 1e-13, reduction);
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void MseLoss(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Uniform(6, 44);
        var y = Uniform(6, 45);
        var sq = x.Zip(y, (a, b) => (a - b) * (a - b)).ToArray();
        var input = torch.tensor(x, new long[] { 2, 3 }, dev);
        var target = torch.tensor(y, new long[] { 2, 3 }, dev);
        Assert.Equal(sq.Average(), F.mse_loss(input, target).item<double>(), 14);
        Assert.Equal(sq.Sum(), F.mse_loss(input, target, "sum").item<double>(), 14);
        Numerics.AssertClose(sq, F.mse_loss(input, target, "none").ToArray<double>(), 1e-15);
        AssertGradient(t => F.mse_loss(t, target), x, new long[] { 2, 3 }, dev);
    }
}
