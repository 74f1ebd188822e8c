using static Lrnn.Tests.Model.ModelTestData;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using Xunit;
using F = Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Tests.Torch;

public class LayerTests
{
    // ---- helpers -----------------------------------------------------------------------------------

    private static double[] Uniform(int seed, int n, double scale = 1) => GradCheck.Uniform(n, seed, -scale, scale);

    // ---- managed float64 references ------------------------------------------------------------------

    // x (rows, in), w (out, in), b (out) → (rows, out)
    private static double[] LinearRef(double[] x, int rows, int inF, double[] w, int outF, double[]? b)
    {
        var y = new double[rows * outF];
        for (var n = 0; n < rows; n++)
        for (var o = 0; o < outF; o++)
        {
            var s = b?[o] ?? 0;
            for (var i = 0; i < inF; i++) s += x[n * inF + i] * w[o * inF + i];
            y[n * outF + o] = s;
        }
        return y;
    }

    // x (B, Cin, L), w (Cout, Cin/groups, K), b (Cout) → (B, Cout, Lout), zero padding on both sides.
    private static double[] Conv1dRef(double[] x, int batch, int cin, int length, double[] w, int cout, int k, double[]? b,
        int stride, int padding, int dilation, int groups, out int lout)
    {
        lout = (length + 2 * padding - dilation * (k - 1) - 1) / stride + 1;
        var cinPerGroup = cin / groups;
        var coutPerGroup = cout / groups;
        var y = new double[batch * cout * lout];
        for (var n = 0; n < batch; n++)
        for (var o = 0; o < cout; o++)
        for (var t = 0; t < lout; t++)
        {
            var s = b?[o] ?? 0;
            var g = o / coutPerGroup;
            for (var c = 0; c < cinPerGroup; c++)
            for (var j = 0; j < k; j++)
            {
                var pos = t * stride + j * dilation - padding;
                if (pos < 0 || pos >= length) continue;
                s += w[(o * cinPerGroup + c) * k + j] * x[(n * cin + g * cinPerGroup + c) * length + pos];
            }
            y[(n * cout + o) * lout + t] = s;
        }
        return y;
    }

    // Over the last dimension D of (rows, D): (x − mean)/√(biased var + eps)·w + b.
    private static double[] LayerNormRef(double[] x, int rows, int d, double[]? w, double[]? b, double eps)
    {
        var y = new double[x.Length];
        for (var n = 0; n < rows; n++)
        {
            var row = x.AsSpan(n * d, d);
            var mean = 0.0;
            foreach (var v in row) mean += v;
            mean /= d;
            var variance = 0.0;
            foreach (var v in row) variance += (v - mean) * (v - mean);
            variance /= d;
            var inv = 1 / Math.Sqrt(variance + eps);
            for (var i = 0; i < d; i++) y[n * d + i] = (row[i] - mean) * inv * (w?[i] ?? 1) + (b?[i] ?? 0);
        }
        return y;
    }

    // Over the last dimension D of (rows, D): x/√(mean(x²) + eps)·w.
    private static double[] RmsNormRef(double[] x, int rows, int d, double[]? w, double eps)
    {
        var y = new double[x.Length];
        for (var n = 0; n < rows; n++)
        {
            var row = x.AsSpan(n * d, d);
            var meanSquare = 0.0;
            foreach (var v in row) meanSquare += v * v;
            var inv = 1 / Math.Sqrt(meanSquare / d + eps);
            for (var i = 0; i < d; i++) y[n * d + i] = row[i] * inv * (w?[i] ?? 1);
        }
        return y;
    }

    // ---- Linear --------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LinearMatchesTheReference(string dev)
    {
        Device device = dev;
        using var scope = torch.NewDisposeScope();
        using var layer = new Linear(5, 3, dtype: ScalarType.Float64, device: device);
        var x = Uniform(1, 2 * 4 * 5);
        var y = layer.call(torch.tensor(x, [2, 4, 5], device));
        Assert.Equal([2L, 4, 3], y.shape);
        Numerics.AssertClose(LinearRef(x, 8, 5, Doubles(layer.weight), 3, Doubles(layer.bias!)), y.ToArray<double>(), 1e-12);

        using var noBias = new Linear(5, 3, bias: false, device: device);
        Assert.Null(noBias.bias);
        var y32 = noBias.call(torch.tensor(x.Select(v => (float)v).ToArray(), [8, 5], device));
        Assert.Equal(ScalarType.Float32, y32.dtype);
        Numerics.AssertClose(LinearRef(x, 8, 5, Doubles(noBias.weight), 3, null), Doubles(y32), 1e-5);
    }

    [Fact]
    public void LinearRejectsAWrongLastDimensionNamingBothShapes()
    {
        using var layer = new Linear(4, 3);
        using var x = torch.zeros(2, 5);
        var e = Assert.Throws<ArgumentException>(() => layer.call(x));
        Assert.Contains("[2, 5]", e.Message);
        Assert.Contains("[3, 4]", e.Message);
        using var scalar = torch.zeros(Array.Empty<long>());
        Assert.Throws<ArgumentException>(() => layer.call(scalar));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LinearGradientsMatchFiniteDifferences(string dev) =>
        GradCheck.AssertGradients(dev, t => F.linear(t[0], t[1], t[2]),
            (Uniform(2, 12), [3, 4]), (Uniform(3, 8), [2, 4]), (Uniform(4, 2), [2]));

    [Fact]
    public void LinearInitialisesUniformlyWithinOneOverSqrtFanIn()
    {
        using var layer = new Linear(256, 128);
        var bound = 1 / Math.Sqrt(256);
        var w = Doubles(layer.weight);
        Assert.All(w, v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.InRange(w.Max(), 0.99 * bound, bound);
        Assert.InRange(w.Min(), -bound, -0.99 * bound);
        Assert.InRange(w.Average(), -0.01 * bound, 0.01 * bound);
        Assert.InRange(w.Select(v => v * v).Average(), 0.97 * bound * bound / 3, 1.03 * bound * bound / 3); // var of U(±a) = a²/3
        var b = Doubles(layer.bias!);
        Assert.All(b, v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.True(b.Distinct().Count() > 100);
        Assert.True(layer.weight.requires_grad && layer.weight.is_leaf);
    }

    // ---- Embedding -----------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void EmbeddingPicksRowsForInt64AndInt32Ids(string dev)
    {
        Device device = dev;
        using var scope = torch.NewDisposeScope();
        using var layer = new Embedding(6, 3, device: device);
        var w = Doubles(layer.weight);
        long[] ids = [5, 0, 2, 2, 1, 4];
        var expected = ids.SelectMany(i => w.Skip((int)i * 3).Take(3)).ToArray();
        var y = layer.call(torch.tensor(ids, [2, 3], device));
        Assert.Equal([2L, 3, 3], y.shape);
        Assert.Equal(expected, Doubles(y));
        var y32 = layer.call(torch.tensor(ids.Select(i => (int)i).ToArray(), [6], device));
        Assert.Equal(expected, Doubles(y32));
    }

    [Fact]
    public void EmbeddingRejectsNonIntegerIds()
    {
        using var layer = new Embedding(6, 3);
        using var ids = torch.zeros(4);
        var e = Assert.Throws<ArgumentException>(() => layer.call(ids));
        Assert.Contains("Float32", e.Message);
        using var outOfRange = torch.tensor(new long[] { 6 });
        Assert.ThrowsAny<TorchException>(() => layer.call(outOfRange));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void EmbeddingGradientsMatchFiniteDifferences(string dev)
    {
        Device device = dev;
        using var ids = torch.tensor(new long[] { 3, 1, 3, 0, 3, 2 }, [2, 3], device); // repeated ids accumulate
        GradCheck.AssertGradients(device, t => F.embedding(ids, t[0]), (Uniform(5, 4 * 3), [4, 3]));
    }

    [Fact]
    public void EmbeddingPaddingRowStartsAtZeroAndGetsNoGradient()
    {
        using var scope = torch.NewDisposeScope();
        using var layer = new Embedding(5, 3, paddingIdx: -1);
        Assert.Equal(4L, layer.padding_idx);
        var w = Doubles(layer.weight);
        Assert.All(w.Skip(12), v => Assert.Equal(0.0, v));
        Assert.All(w.Take(12), v => Assert.NotEqual(0.0, v));
        layer.call(torch.tensor(new long[] { 4, 1, 4, 1 })).sum().backward();
        var g = layer.weight.grad!.ToArray<float>();
        Assert.Equal([0f, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0], g);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(5, 3, paddingIdx: 5));
    }

    [Fact]
    public void EmbeddingInitialisesFromAStandardNormal()
    {
        using var layer = new Embedding(1000, 64);
        var w = Doubles(layer.weight);
        var mean = w.Average();
        var variance = w.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.02, 0.02);     // standard error 0.004
        Assert.InRange(variance, 0.97, 1.03);  // standard error 0.0056
        Assert.Contains(w, v => Math.Abs(v) > 3.5);
    }

    // ---- Conv1d --------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Conv1dMatchesTheReferenceWithGroupsPaddingStrideAndDilation(string dev)
    {
        Device device = dev;
        using var scope = torch.NewDisposeScope();
        (int Stride, int Padding, int Dilation, int Groups)[] cases = [(1, 0, 1, 1), (1, 2, 1, 2), (2, 1, 2, 2), (1, 3, 1, 4)];
        foreach (var (stride, padding, dilation, groups) in cases)
        {
            using var conv = new Conv1d(4, 8, 4, stride, padding, dilation, groups, dtype: ScalarType.Float64, device: device);
            Assert.Equal([8L, 4 / groups, 4], conv.weight.shape);
            var x = Uniform(6, 2 * 4 * 9);
            var y = conv.call(torch.tensor(x, [2, 4, 9], device));
            var expected = Conv1dRef(x, 2, 4, 9, Doubles(conv.weight), 8, 4, Doubles(conv.bias!), stride, padding, dilation, groups, out var lout);
            Assert.Equal([2L, 8, lout], y.shape);
            Numerics.AssertClose(expected, y.ToArray<double>(), 1e-12, what: $"stride {stride} padding {padding} dilation {dilation} groups {groups}");
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Conv1dGradientsMatchFiniteDifferencesWithGroupsAndPadding(string dev) =>
        GradCheck.AssertGradients(dev, t => F.conv1d(t[0], t[1], t[2], padding: 2, groups: 2),
            (Uniform(7, 2 * 4 * 6), [2, 4, 6]), (Uniform(8, 4 * 2 * 3), [4, 2, 3]), (Uniform(9, 4), [4]));

    [Fact]
    public void Conv1dValidatesChannelsAndInitialisesWithinOneOverSqrtFanIn()
    {
        using var conv = new Conv1d(8, 6, 5, groups: 2);
        var bound = 1 / Math.Sqrt(8 / 2 * 5);
        Assert.All(Doubles(conv.weight), v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.All(Doubles(conv.bias!), v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.InRange(Doubles(conv.weight).Max(), 0.8 * bound, bound);
        using var x = torch.zeros(1, 6, 10);
        var e = Assert.Throws<ArgumentException>(() => conv.call(x));
        Assert.Contains("[1, 6, 10]", e.Message);
        Assert.Contains("[6, 4, 5]", e.Message);
        Assert.Throws<ArgumentException>(() => new Conv1d(6, 4, 3, groups: 4));
    }

    // ---- LayerNorm and RMSNorm --------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LayerNormMatchesTheReference(string dev)
    {
        Device device = dev;
        using var scope = torch.NewDisposeScope();
        using var norm = new LayerNorm(6, eps: 1e-3, dtype: ScalarType.Float64, device: device);
        Assert.Equal(Enumerable.Repeat(1.0, 6), Doubles(norm.weight!));
        Assert.Equal(Enumerable.Repeat(0.0, 6), Doubles(norm.bias!));
        var w = Uniform(10, 6);
        var b = Uniform(11, 6);
        using (torch.no_grad())
        {
            norm.weight!.copy_(torch.tensor(w));
            norm.bias!.copy_(torch.tensor(b));
        }
        var x = Uniform(12, 4 * 6, 3);
        var y = norm.call(torch.tensor(x, [2, 2, 6], device));
        Numerics.AssertClose(LayerNormRef(x, 4, 6, w, b, 1e-3), y.ToArray<double>(), 1e-12);

        using var plain = new LayerNorm([2, 3], elementwiseAffine: false, dtype: ScalarType.Float64, device: device);
        Assert.Null(plain.weight);
        var y2 = plain.call(torch.tensor(x, [4, 2, 3], device));
        Numerics.AssertClose(LayerNormRef(x, 4, 6, null, null, 1e-5), y2.ToArray<double>(), 1e-12);
        var e = Assert.Throws<ArgumentException>(() => plain.call(torch.tensor(x, [4, 3, 2], device)));
        Assert.Contains("[4, 3, 2]", e.Message);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LayerNormGradientsMatchFiniteDifferences(string dev) =>
        GradCheck.AssertGradients(dev, t => F.layer_norm(t[0], [5], t[1], t[2]),
            (Uniform(13, 15, 2), [3, 5]), (Uniform(14, 5), [5]), (Uniform(15, 5), [5]));

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void RmsNormMatchesTheReference(string dev)
    {
        Device device = dev;
        using var scope = torch.NewDisposeScope();
        using var norm = new RMSNorm(6, eps: 1e-3, dtype: ScalarType.Float64, device: device);
        Assert.Equal(Enumerable.Repeat(1.0, 6), Doubles(norm.weight));
        var w = Uniform(16, 6);
        using (torch.no_grad()) norm.weight.copy_(torch.tensor(w));
        var x = Uniform(17, 4 * 6, 3);
        var y = norm.call(torch.tensor(x, [4, 6], device));
        Numerics.AssertClose(RmsNormRef(x, 4, 6, w, 1e-3), y.ToArray<double>(), 1e-12);
        Numerics.AssertClose(RmsNormRef(x, 4, 6, null, 1e-5), F.rms_norm(torch.tensor(x, [4, 6], device)).ToArray<double>(), 1e-12);
        var e = Assert.Throws<ArgumentException>(() => norm.call(torch.tensor(x, [6, 4], device)));
        Assert.Contains("[6, 4]", e.Message);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void RmsNormGradientsMatchFiniteDifferences(string dev) =>
        GradCheck.AssertGradients(dev, t => F.rms_norm(t[0], t[1]), (Uniform(18, 15, 2), [3, 5]), (Uniform(19, 5), [5]));

    /// <summary>
    /// |x| ≈ 300 makes x² overflow float16 (max 65504), so a norm computed in float16 would return zeros or NaN;
    /// computed in float32 it matches the float64 reference of the rounded inputs, in the input's dtype.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void NormsComputeLowPrecisionInputsInFloat32(string dev)
    {
        Device device = dev;
        using var scope = torch.NewDisposeScope();
        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
        {
            var x = torch.tensor(Uniform(20, 3 * 8, 100).Select(v => 300 + v).ToArray(), [3, 8], device).to(dtype);
            var rounded = Doubles(x);
            using var rms = new RMSNorm(8, dtype: dtype, device: device);
            using var ln = new LayerNorm(8, dtype: dtype, device: device);
            var yr = rms.call(x);
            var yl = ln.call(x);
            Assert.Equal(dtype, yr.dtype);
            Assert.Equal(dtype, yl.dtype);
            Numerics.AssertClose(RmsNormRef(rounded, 3, 8, null, 1e-5), Doubles(yr), 0, 1e-2, $"rms_norm {dtype}");
            Numerics.AssertClose(LayerNormRef(rounded, 3, 8, null, null, 1e-5), Doubles(yl), 2e-2, 1e-2, $"layer_norm {dtype}");
        }
    }

    // ---- Dropout -------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void DropoutScalesSurvivorsInTrainingAndIsTheIdentityInEval(string dev)
    {
        Device device = dev;
        using var scope = torch.NewDisposeScope();
        using var dropout = new Dropout(0.25);
        var x = torch.tensor(Uniform(21, 20_000).Select(v => v + 2).ToArray(), device: device);
        var input = Doubles(x);

        var trained = Doubles(dropout.call(x));
        var zeros = 0;
        for (var k = 0; k < input.Length; k++)
        {
            if (trained[k] == 0) zeros++;
            else Assert.Equal(input[k] / 0.75, trained[k], 1e-6); // float32 arithmetic
        }
        Assert.InRange(zeros / 20_000.0, 0.23, 0.27); // standard error 0.003

        dropout.eval();
        var evaluated = dropout.call(x);
        Assert.NotSame(x, evaluated);
        Assert.Equal(input, Doubles(evaluated));
        Assert.Equal(input, Doubles(F.dropout(x, 0.0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5));
    }

    // ---- torch.nn.init -------------------------------------------------------------------------------

    [Fact]
    public void InitFunctionsFillParametersInPlaceWithTheRequestedDistribution()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.empty(200, 300).requires_grad_();
        Assert.Same(t, torch.nn.init.uniform_(t, -2, 3));
        var u = Doubles(t);
        Assert.All(u, v => Assert.InRange(v, -2, 3));
        Assert.InRange(u.Average(), 0.48, 0.52);

        torch.nn.init.normal_(t, 1, 2);
        var n = Doubles(t);
        var mean = n.Average();
        Assert.InRange(mean, 0.97, 1.03);
        Assert.InRange(Math.Sqrt(n.Select(v => (v - mean) * (v - mean)).Average()), 1.97, 2.03);

        torch.nn.init.kaiming_uniform_(t);                        // a = 0: bound = √2·√(3/300)
        var bound = Math.Sqrt(2) * Math.Sqrt(3.0 / 300);
        var k = Doubles(t);
        Assert.All(k, v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.InRange(k.Max(), 0.99 * bound, bound);

        Assert.All(Doubles(torch.nn.init.ones_(t)), v => Assert.Equal(1.0, v));
        Assert.All(Doubles(torch.nn.init.zeros_(t)), v => Assert.Equal(0.0, v));
        Assert.True(t.requires_grad && t.is_leaf);
        Assert.All(Doubles(torch.zeros(3).fill_(2.5)), v => Assert.Equal(2.5, v));
        Assert.Equal([7L, 7], torch.zeros([2], ScalarType.Int64).fill_(7L).ToArray<long>());
        Assert.Throws<ArgumentException>(() => torch.nn.init.kaiming_uniform_(torch.zeros(3)));
    }
}
