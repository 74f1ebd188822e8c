using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Support.GradCheck;
using F = Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Tests.Torch;

public class ActivationTests
{
    // Spans both signs, zero, and the large-|x| tails.
    private static readonly double[] X = { -30.0, -6.0, -2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 2.0, 7.5, 25.0 };

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>
    /// erfc by composite Simpson's rule on 2/√π·exp(−t²) over [z, z + 10] (relative error below 1e-11 here). Integrating
    /// the tail directly keeps Φ(x) = erfc(−x/√2)/2 accurate for very negative x, where 1 + erf(x) cancels.
    /// </summary>
    private static double Erfc(double z)
    {
        if (z < 0) return 2 - Erfc(-z);
        const int n = 8000;
        const double length = 10;
        var h = length / n;
        var s = Math.Exp(-z * z) + Math.Exp(-(z + length) * (z + length));
        for (var k = 1; k < n; k++)
        {
            var t = z + k * h;
            s += (k % 2 == 1 ? 4 : 2) * Math.Exp(-t * t);
        }
        return 2 / Math.Sqrt(Math.PI) * s * h / 3;
    }

    private static double Softplus(double x, double beta, double threshold) =>
        beta * x > threshold ? x : Math.Log(1 + Math.Exp(beta * x)) / beta;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Elementwise.Keys)
        {
            data.Add("cpu", name);
            data.Add(new TheoryDataRow<string, string>("cuda", name) { Skip = TestDevices.SkipReason("cuda") });
        }
        return data;
    }

    private static readonly Dictionary<string, (Func<Tensor, Tensor> op, Func<double, double> reference)> Elementwise = new()
    {
        ["sigmoid"] = (F.sigmoid, Sigmoid),
        ["tanh"] = (F.tanh, Math.Tanh),
        ["relu"] = (F.relu, x => Math.Max(x, 0)),
        ["silu"] = (F.silu, x => x * Sigmoid(x)),
        ["gelu"] = (t => F.gelu(t), x => 0.5 * x * Erfc(-x / Math.Sqrt(2))),
        ["gelu(tanh)"] = (t => F.gelu(t, approximate: "tanh"),
            x => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))),
        ["softplus"] = (t => F.softplus(t), x => Softplus(x, 1, 20)),
        ["softplus(beta 2, threshold 5)"] = (t => F.softplus(t, beta: 2, threshold: 5), x => Softplus(x, 2, 5)),
        ["tensor.sigmoid"] = (t => t.sigmoid(), Sigmoid),
        ["tensor.tanh"] = (t => t.tanh(), Math.Tanh),
        ["tensor.relu"] = (t => t.relu(), x => Math.Max(x, 0)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ElementwiseActivationsMatchTheReference(string dev, string name)
    {
        var (op, reference) = Elementwise[name];
        using var t = torch.tensor(X, device: dev);
        using var y = op(t);
        // rtol 1e-11: the precision of the Simpson erfc above; a wrong formula is off by far more.
        Numerics.AssertClose(X.Select(reference).ToArray(), y.ToArray<double>(), 1e-14, 1e-11, name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ElementwiseActivationGradientsMatchFiniteDifferences(string dev, string name)
    {
        var (op, _) = Elementwise[name];
        // Away from relu's kink and softplus' threshold switch, where the derivative is not defined by differences.
        var x = new[] { -2.5, -1.0, -0.3, 0.4, 1.0, 2.0, 3.1 };
        var w = Uniform(x.Length, 11);
        AssertGradient(t => (op(t) * torch.tensor(w, device: dev)).sum(), x, new long[] { x.Length }, dev);
    }

    [Fact]
    public void GeluRejectsUnknownApproximations()
    {
        using var t = torch.ones(2);
        var e = Assert.Throws<ArgumentException>(() => F.gelu(t, "erf"));
        Assert.Contains("\"erf\"", e.Message);
    }

    private static double[] SoftmaxRows(double[] x, int rows, int cols, bool log)
    {
        var y = new double[x.Length];
        for (var i = 0; i < rows; i++)
        {
            var row = x[(i * cols)..((i + 1) * cols)];
            var m = row.Max();
            var lse = m + Math.Log(row.Sum(v => Math.Exp(v - m)));
            for (var j = 0; j < cols; j++) y[i * cols + j] = log ? row[j] - lse : Math.Exp(row[j] - lse);
        }
        return y;
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void SoftmaxAndLogSoftmax(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Uniform(12, 21, -5, 5);
        x[0] = 800; // a huge logit: only a max-shifted softmax survives it
        var t = torch.tensor(x, new long[] { 3, 4 }, dev);
        Numerics.AssertClose(SoftmaxRows(x, 3, 4, false), F.softmax(t, 1).ToArray<double>(), 1e-15, 1e-13, "softmax");
        Numerics.AssertClose(SoftmaxRows(x, 3, 4, true), t.log_softmax(-1).ToArray<double>(), 1e-13, 1e-14, "log_softmax");
        // dim 0 = softmax down the columns: the transpose's rows.
        var xt = Enumerable.Range(0, 12).Select(k => x[(k % 3) * 4 + k / 3]).ToArray();
        var down = SoftmaxRows(xt, 4, 3, false);
        var expected = Enumerable.Range(0, 12).Select(k => down[(k % 4) * 3 + k / 4]).ToArray();
        Numerics.AssertClose(expected, t.softmax(0).ToArray<double>(), 1e-15, 1e-13, "softmax(0)");

        // dtype casts before the reduction: float32 in, float64 out.
        var f = torch.tensor(x.Select(v => (float)v).ToArray(), new long[] { 3, 4 }, dev);
        var y = F.log_softmax(f, 1, ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, y.dtype);
        Numerics.AssertClose(SoftmaxRows(x.Select(v => (double)(float)v).ToArray(), 3, 4, true), y.ToArray<double>(), 1e-12, what: "log_softmax(float64)");

        var w = Uniform(12, 22);
        AssertGradient(s => (F.log_softmax(s, 1) * torch.tensor(w, new long[] { 3, 4 }, dev)).sum(), Uniform(12, 23), new long[] { 3, 4 }, dev);
        AssertGradient(s => (F.softmax(s, 0) * torch.tensor(w, new long[] { 3, 4 }, dev)).sum(), Uniform(12, 24), new long[] { 3, 4 }, dev);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GluGatesTheFirstHalfWithTheSecond(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Uniform(2 * 6, 31);
        var t = torch.tensor(x, new long[] { 2, 6 }, dev);
        var expected = new double[6];
        for (var i = 0; i < 2; i++)
        for (var j = 0; j < 3; j++)
            expected[i * 3 + j] = x[i * 6 + j] * Sigmoid(x[i * 6 + 3 + j]);
        var y = F.glu(t);
        Assert.Equal(new long[] { 2, 3 }, y.shape);
        Numerics.AssertClose(expected, y.ToArray<double>(), 1e-15, 1e-14, "glu");
        Assert.Equal(new long[] { 1, 6 }, F.glu(t, 0).shape);
        AssertGradient(s => (F.glu(s) * torch.tensor(Uniform(6, 32), new long[] { 2, 3 }, dev)).sum(), x, new long[] { 2, 6 }, dev);
    }
}
