using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

public class RandomTests
{
    private static readonly long[] Shape = { 4, 8 };

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void TheSameSeedGivesTheSameValues(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        torch.manual_seed(1234);
        var a = torch.randn(Shape, device: device).ToArray<float>();
        var ai = torch.randint(0, 1000, Shape, device: device).ToArray<long>();
        var next = torch.rand(Shape, device: device).ToArray<float>();
        torch.manual_seed(1234);
        Assert.Equal(a, torch.randn(Shape, device: device).ToArray<float>());
        Assert.Equal(ai, torch.randint(0, 1000, Shape, device: device).ToArray<long>());
        Assert.NotEqual(a, next.Take(a.Length).ToArray());           // the stream moves on
        torch.manual_seed(4321);
        Assert.NotEqual(a, torch.randn(Shape, device: device).ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GeneratorsAreIndependentOfEachOtherAndOfTheGlobalStream(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        using var g1 = new Generator(device, seed: 7);
        using var g2 = new Generator(device).manual_seed(7);
        Assert.Equal(7UL, g2.initial_seed());
        Assert.Equal(device.Type, g1.device.Type);

        torch.manual_seed(99);
        var globalOnly = torch.randn(Shape, device: device).ToArray<float>();
        torch.manual_seed(99);
        var fromG1 = torch.randn(Shape, g1, device: device).ToArray<float>();
        var global = torch.randn(Shape, device: device).ToArray<float>();  // untouched by g1's draws
        var fromG2 = torch.randn(Shape, g2, device: device).ToArray<float>();
        Assert.Equal(globalOnly, global);
        Assert.Equal(fromG1, fromG2);
        Assert.NotEqual(fromG1, global);
        Assert.NotEqual(fromG1, torch.randn(Shape, g1, device: device).ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void RestoringAGeneratorStateReplaysTheSequence(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        using var g = new Generator(device, seed: 3);
        torch.randn(Shape, g, device: device);                       // somewhere mid-stream
        var state = g.get_state();
        var first = torch.rand(Shape, g, device: device).ToArray<float>();
        var second = torch.randint(0, 50, Shape, g, device: device).ToArray<long>();
        g.set_state(state);
        Assert.Equal(first, torch.rand(Shape, g, device: device).ToArray<float>());
        Assert.Equal(second, torch.randint(0, 50, Shape, g, device: device).ToArray<long>());
    }

    [Fact]
    public void RestoringTheGlobalStateReplaysTheSequence()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        torch.rand(10);
        var state = torch.get_rng_state();
        var first = torch.randn(Shape).ToArray<float>();
        using var other = torch.multinomial(torch.ones(10), 3);
        var after = torch.randn(Shape).ToArray<float>();
        torch.set_rng_state(state);
        Assert.Equal(first, torch.randn(Shape).ToArray<float>());
        Assert.Equal(other.ToArray<long>(), torch.multinomial(torch.ones(10), 3).ToArray<long>());
        Assert.Equal(after, torch.randn(Shape).ToArray<float>());
    }

    [Fact]
    public void RandnAndRandHaveTheirMoments()
    {
        using var scope = torch.NewDisposeScope();
        const int n = 200_000;
        using var g = new Generator(seed: 11);
        var z = torch.randn(new long[] { n }, g, ScalarType.Float64).ToArray<double>();
        var mean = z.Average();
        var variance = z.Select(v => (v - mean) * (v - mean)).Sum() / (n - 1);
        var fourth = z.Select(v => Math.Pow(v - mean, 4)).Average() / (variance * variance);
        Assert.InRange(mean, -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));                     // 5σ of the sample mean
        Assert.InRange(variance, 1 - 5 * Math.Sqrt(2.0 / n), 1 + 5 * Math.Sqrt(2.0 / n));
        Assert.InRange(fourth, 2.9, 3.1);                                                // Gaussian kurtosis

        var u = torch.rand(new long[] { n }, g, ScalarType.Float64).ToArray<double>();
        Assert.All(u, v => Assert.True(v >= 0 && v < 1, $"rand gave {v}, outside [0, 1)"));
        Assert.InRange(u.Average(), 0.5 - 5 * Math.Sqrt(1.0 / 12 / n), 0.5 + 5 * Math.Sqrt(1.0 / 12 / n));
    }

    [Fact]
    public void RandintCoversExactlyItsRange()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(seed: 2);
        var r = torch.randint(-3, 4, new long[] { 10_000 }, g);
        Assert.Equal(ScalarType.Int64, r.dtype);
        Assert.Equal(Enumerable.Range(-3, 7).Select(v => (long)v), r.ToArray<long>().Distinct().Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => torch.randint(5, 5, new long[] { 1 }));
    }

    [Fact]
    public void MultinomialFollowsTheProbabilities()
    {
        using var scope = torch.NewDisposeScope();
        const int n = 100_000;
        double[] weights = { 1, 2, 0, 3, 4 };                    // unnormalised; category 2 never drawn
        using var g = new Generator(seed: 13);
        var draws = torch.multinomial(torch.tensor(weights), n, replacement: true, generator: g).ToArray<long>();
        for (var c = 0; c < weights.Length; c++)
        {
            var p = weights[c] / weights.Sum();
            var frequency = draws.Count(d => d == c) / (double)n;
            var sigma = Math.Sqrt(p * (1 - p) / n);
            Assert.InRange(frequency, p - 5 * sigma, p + 5 * sigma);
        }

        // Without replacement every row draws distinct categories, never the impossible one.
        var rows = torch.multinomial(torch.tensor(weights.Concat(weights).ToArray(), new long[] { 2, 5 }), 4, generator: g);
        Assert.Equal(new long[] { 2, 4 }, rows.shape);
        foreach (var row in rows.ToArray<long>().Chunk(4))
            Assert.Equal(new long[] { 0, 1, 3, 4 }, row.Order());
        Assert.Throws<ArgumentException>(() => torch.multinomial(torch.tensor(weights), 6));
    }

    [Fact]
    public void BernoulliAndInPlaceFillsUseTheGenerator()
    {
        using var scope = torch.NewDisposeScope();
        const int n = 100_000;
        using var g = new Generator(seed: 17);
        var b = torch.bernoulli(torch.full(new long[] { n }, 0.3, ScalarType.Float64), g).ToArray<double>();
        Assert.All(b, v => Assert.True(v is 0 or 1));
        var sigma = Math.Sqrt(0.3 * 0.7 / n);
        Assert.InRange(b.Average(), 0.3 - 5 * sigma, 0.3 + 5 * sigma);

        var u = torch.empty(new long[] { n }, ScalarType.Float64).uniform_(-2, 6, g).ToArray<double>();
        Assert.All(u, v => Assert.InRange(v, -2, 6));
        Assert.InRange(u.Average(), 2 - 0.05, 2 + 0.05);
        var z = torch.empty(new long[] { n }, ScalarType.Float64).normal_(10, 3, g).ToArray<double>();
        Assert.InRange(z.Average(), 10 - 5 * 3 / Math.Sqrt(n), 10 + 5 * 3 / Math.Sqrt(n));

        g.manual_seed(1);
        var again = torch.empty(new long[] { 8 }).normal_(0, 1, g).ToArray<float>();
        g.manual_seed(1);
        Assert.Equal(again, torch.empty(new long[] { 8 }).normal_(0, 1, g).ToArray<float>());
    }
}
