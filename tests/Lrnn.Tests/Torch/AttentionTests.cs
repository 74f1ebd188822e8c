using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Support.GradCheck;
using F = Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Tests.Torch;

public class AttentionTests
{
    private const int B = 2, H = 2, E = 4, Ev = 3;

    /// <summary>
    /// Naive float64 attention over the flattened (B·H) heads: q (BH, Lq, E), k (BH, Lk, E), v (BH, Lk, Ev), row-major.
    /// <paramref name="allowed"/>(head, i, j) false masks key j for query i; <paramref name="bias"/> is added to the scores.
    /// </summary>
    private static double[] Reference(double[] q, double[] k, double[] v, int lq, int lk, double scale,
        Func<int, int, int, bool>? allowed = null, Func<int, int, int, double>? bias = null)
    {
        var output = new double[B * H * lq * Ev];
        var w = new double[lk];
        for (var h = 0; h < B * H; h++)
        for (var i = 0; i < lq; i++)
        {
            for (var j = 0; j < lk; j++)
            {
                var s = 0.0;
                for (var d = 0; d < E; d++) s += q[(h * lq + i) * E + d] * k[(h * lk + j) * E + d];
                s = s * scale + (bias?.Invoke(h, i, j) ?? 0);
                w[j] = allowed is null || allowed(h, i, j) ? s : double.NegativeInfinity;
            }
            var m = w.Max();
            var z = w.Sum(s => Math.Exp(s - m));
            for (var d = 0; d < Ev; d++)
            {
                var acc = 0.0;
                for (var j = 0; j < lk; j++) acc += Math.Exp(w[j] - m) / z * v[(h * lk + j) * Ev + d];
                output[(h * lq + i) * Ev + d] = acc;
            }
        }
        return output;
    }

    private static (double[] q, double[] k, double[] v) Inputs(int lq, int lk, int seed) =>
        (Uniform(B * H * lq * E, seed), Uniform(B * H * lk * E, seed + 1), Uniform(B * H * lk * Ev, seed + 2));

    private static (Tensor q, Tensor k, Tensor v) Tensors((double[] q, double[] k, double[] v) x, int lq, int lk, string dev) =>
        (torch.tensor(x.q, new long[] { B, H, lq, E }, dev), torch.tensor(x.k, new long[] { B, H, lk, E }, dev),
         torch.tensor(x.v, new long[] { B, H, lk, Ev }, dev));

    private static readonly double DefaultScale = 1 / Math.Sqrt(E);

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void UnmaskedAttentionAndCustomScale(string dev)
    {
        using var scope = torch.NewDisposeScope();
        const int lq = 3, lk = 5;
        var x = Inputs(lq, lk, 50);
        var (q, k, v) = Tensors(x, lq, lk, dev);
        var y = F.scaled_dot_product_attention(q, k, v);
        Assert.Equal(new long[] { B, H, lq, Ev }, y.shape);
        Numerics.AssertClose(Reference(x.q, x.k, x.v, lq, lk, DefaultScale), y.ToArray<double>(), 1e-14, 1e-12, "default scale");
        Numerics.AssertClose(Reference(x.q, x.k, x.v, lq, lk, 0.9), F.scaled_dot_product_attention(q, k, v, scale: 0.9).ToArray<double>(),
            1e-14, 1e-12, "scale 0.9");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BoolAndAdditiveMasks(string dev)
    {
        using var scope = torch.NewDisposeScope();
        const int lq = 3, lk = 4;
        var x = Inputs(lq, lk, 60);
        var (q, k, v) = Tensors(x, lq, lk, dev);
        // (Lq, Lk) bool mask, broadcast over batch and heads; every row keeps at least one key.
        var keep = new[] { true, false, true, false, false, false, false, true, true, true, false, true };
        var boolMask = torch.tensor(keep, new long[] { lq, lk }, dev);
        Numerics.AssertClose(Reference(x.q, x.k, x.v, lq, lk, DefaultScale, allowed: (_, i, j) => keep[i * lk + j]),
            F.scaled_dot_product_attention(q, k, v, boolMask).ToArray<double>(), 1e-14, 1e-12, "bool mask");
        // (B, 1, Lq, Lk) additive mask, broadcast over heads.
        var add = Uniform(B * lq * lk, 61, -3, 3);
        var addMask = torch.tensor(add, new long[] { B, 1, lq, lk }, dev);
        Numerics.AssertClose(Reference(x.q, x.k, x.v, lq, lk, DefaultScale, bias: (h, i, j) => add[(h / H * lq + i) * lk + j]),
            F.scaled_dot_product_attention(q, k, v, addMask).ToArray<double>(), 1e-14, 1e-12, "additive mask");
    }

    public static TheoryData<string, int, int, CausalAlignment> CausalCases()
    {
        var data = new TheoryData<string, int, int, CausalAlignment>();
        foreach (var (lq, lk) in new[] { (4, 4), (2, 5), (1, 5) })
        foreach (var alignment in new[] { CausalAlignment.TopLeft, CausalAlignment.BottomRight })
        {
            data.Add("cpu", lq, lk, alignment);
            data.Add(new TheoryDataRow<string, int, int, CausalAlignment>("cuda", lq, lk, alignment)
                { Skip = TestDevices.SkipReason("cuda") });
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CausalCases))]
    public void CausalMaskAlignment(string dev, int lq, int lk, CausalAlignment alignment)
    {
        using var scope = torch.NewDisposeScope();
        var x = Inputs(lq, lk, 70);
        var (q, k, v) = Tensors(x, lq, lk, dev);
        // Top-left: query i sees keys 0..i. Bottom-right: the queries are the last Lq positions, so i sees 0..i + Lk − Lq.
        var offset = alignment == CausalAlignment.BottomRight ? lk - lq : 0;
        var expected = Reference(x.q, x.k, x.v, lq, lk, DefaultScale, allowed: (_, i, j) => j <= i + offset);
        var y = F.scaled_dot_product_attention(q, k, v, is_causal: true, causal_alignment: alignment);
        Numerics.AssertClose(expected, y.ToArray<double>(), 1e-14, 1e-12, $"{alignment} {lq}x{lk}");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CausalMaskCombinesWithAnExplicitMask(string dev)
    {
        using var scope = torch.NewDisposeScope();
        const int lq = 3, lk = 5;
        var x = Inputs(lq, lk, 80);
        var (q, k, v) = Tensors(x, lq, lk, dev);
        // Key 0 is padding for batch 0 only: a (B, 1, 1, Lk) bool mask.
        var keep = new[] { false, true, true, true, true, true, true, true, true, true };
        var padding = torch.tensor(keep, new long[] { B, 1, 1, lk }, dev);
        var expected = Reference(x.q, x.k, x.v, lq, lk, DefaultScale, allowed: (h, i, j) => keep[h / H * lk + j] && j <= i + lk - lq);
        var y = F.scaled_dot_product_attention(q, k, v, padding, is_causal: true, causal_alignment: CausalAlignment.BottomRight);
        Numerics.AssertClose(expected, y.ToArray<double>(), 1e-14, 1e-12, "bool mask + bottom-right");

        var add = Uniform(lq * lk, 81);
        var bias = torch.tensor(add, new long[] { lq, lk }, dev);
        expected = Reference(x.q, x.k, x.v, lq, lk, DefaultScale, allowed: (_, i, j) => j <= i, bias: (_, i, j) => add[i * lk + j]);
        y = F.scaled_dot_product_attention(q, k, v, bias, is_causal: true);
        Numerics.AssertClose(expected, y.ToArray<double>(), 1e-14, 1e-12, "additive mask + top-left");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GradientsMatchFiniteDifferences(string dev)
    {
        const int lq = 2, lk = 3;
        var x = Inputs(lq, lk, 90);
        var add = Uniform(lq * lk, 91);
        var w = Uniform(B * H * lq * Ev, 92);
        long[][] shapes = { new long[] { B, H, lq, E }, new long[] { B, H, lk, E }, new long[] { B, H, lk, Ev }, new long[] { lq, lk }, new long[] { B, H, lq, Ev } };
        Tensor Loss(Tensor[] t) =>
            (F.scaled_dot_product_attention(t[0], t[1], t[2], t[3], is_causal: true, scale: 0.7, causal_alignment: CausalAlignment.BottomRight) * t[4]).sum();
        double[][] inputs = { x.q, x.k, x.v, add, w };
        for (var wrt = 0; wrt < 4; wrt++) AssertGradient(Loss, inputs, shapes, wrt, dev);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void DropoutDropsWholeAttentionWeights(string dev)
    {
        using var scope = torch.NewDisposeScope();
        // q = 0 gives uniform weights 1/Lk and v = 1 sums them: each output is kept/(Lk·(1 − p)) for an integer count
        // of kept keys, whatever the random draw.
        const int lq = 16, lk = 8;
        const double p = 0.25;
        var q = torch.zeros(new long[] { B, H, lq, E }, ScalarType.Float64, (Device)dev);
        var k = torch.tensor(Uniform(B * H * lk * E, 95), new long[] { B, H, lk, E }, dev);
        var v = torch.ones(new long[] { B, H, lk, Ev }, ScalarType.Float64, (Device)dev);
        var y = F.scaled_dot_product_attention(q, k, v, dropout_p: p).ToArray<double>();
        var counts = y.Select(o => o * lk * (1 - p)).ToArray();
        Assert.All(counts, c => Assert.Equal(Math.Round(c), c, 9));
        Assert.All(counts, c => Assert.InRange(c, 0, lk));
        Assert.Contains(counts, c => Math.Round(c) < lk);   // something was dropped
        Assert.Contains(counts, c => Math.Round(c) > 0);    // something was kept
        Assert.Throws<ArgumentOutOfRangeException>(() => F.scaled_dot_product_attention(q, k, v, dropout_p: 1.5));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BFloat16InputsGiveAccurateBFloat16Outputs(string dev)
    {
        using var scope = torch.NewDisposeScope();
        const int lq = 4, lk = 4;
        var x = Inputs(lq, lk, 100);
        var (q, k, v) = Tensors(x, lq, lk, dev);
        var y = F.scaled_dot_product_attention(q.to(ScalarType.BFloat16), k.to(ScalarType.BFloat16), v.to(ScalarType.BFloat16), is_causal: true);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        // Inputs rounded to bfloat16 (8 bits of mantissa): ~1e-2 relative error is the format's, not the op's.
        var expected = Reference(x.q, x.k, x.v, lq, lk, DefaultScale, allowed: (_, i, j) => j <= i);
        Numerics.AssertClose(expected, y.to(ScalarType.Float64).ToArray<double>(), 3e-2, 3e-2, "bfloat16");
    }

    [Fact]
    public void ShapeMistakesNameTheShapes()
    {
        using var scope = torch.NewDisposeScope();
        var q = torch.zeros(1, 2, 3, 4);
        var e = Assert.Throws<ArgumentException>(() => F.scaled_dot_product_attention(q, torch.zeros(1, 2, 3, 5), torch.zeros(1, 2, 3, 4)));
        Assert.Contains("[1, 2, 3, 4]", e.Message);
        Assert.Contains("[1, 2, 3, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.scaled_dot_product_attention(q, torch.zeros(1, 2, 6, 4), torch.zeros(1, 2, 5, 4)));
        Assert.Contains("sequence length", e.Message);
    }
}
