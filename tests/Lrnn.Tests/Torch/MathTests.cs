using System.Numerics;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Support.GradCheck;

namespace Lrnn.Tests.Torch;

public class MathTests
{
    // a (2, 3) against b (3): b broadcasts over the rows.
    private static readonly double[] A = { 1.5, -2.0, 3.25, -0.5, 4.0, -7.5 };
    private static readonly double[] B = { 2.0, -3.0, 0.75 };

    private static double[] Broadcast(Func<double, double, double> op) =>
        A.Select((a, k) => op(a, B[k % 3])).ToArray();

    /// <summary>Python's modulus: the sign of the divisor.</summary>
    private static double PyMod(double a, double b) => a - Math.Floor(a / b) * b;

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BinaryOpsBroadcastLikeTheReference(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(A, new long[] { 2, 3 }, dev);
        var b = torch.tensor(B, device: dev);
        Numerics.AssertClose(Broadcast((x, y) => x + 0.5 * y), a.add(b, alpha: 0.5).ToArray<double>(), 1e-15, what: "add");
        Numerics.AssertClose(Broadcast((x, y) => x - 2 * y), a.sub(b, alpha: 2).ToArray<double>(), 1e-15, what: "sub");
        Numerics.AssertClose(Broadcast((x, y) => x * y), (a * b).ToArray<double>(), 1e-15, what: "mul");
        Numerics.AssertClose(Broadcast((x, y) => x / y), (a / b).ToArray<double>(), 1e-15, what: "div");
        Numerics.AssertClose(Broadcast(PyMod), a.remainder(b).ToArray<double>(), 1e-15, what: "remainder");
        Numerics.AssertClose(Broadcast(PyMod), (a % b).ToArray<double>(), 1e-15, what: "%");
        Numerics.AssertClose(Broadcast(Math.Max), a.maximum(b).ToArray<double>(), 0, what: "maximum");
        Numerics.AssertClose(Broadcast(Math.Min), torch.minimum(a, b).ToArray<double>(), 0, what: "minimum");
        var absA = a.abs();
        Numerics.AssertClose(Broadcast((x, y) => Math.Pow(Math.Abs(x), y)), absA.pow(b).ToArray<double>(), 1e-13, what: "pow");
        Assert.Equal(new long[] { 2, 3 }, a.pow(b.abs()).shape);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ScalarFormsKeepPythonTypeRules(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(A, new long[] { 2, 3 }, dev);
        Numerics.AssertClose(A.Select(x => x * x * x).ToArray(), a.pow(3L).ToArray<double>(), 1e-13, what: "pow(long)");
        Numerics.AssertClose(A.Select(x => Math.Pow(Math.Abs(x), 0.5)).ToArray(), a.abs().pow(0.5).ToArray<double>(), 1e-15, what: "pow(double)");
        Numerics.AssertClose(A.Select(x => Math.Pow(2, x)).ToArray(), torch.pow(2.0, a).ToArray<double>(), 1e-15, what: "torch.pow(2, t)");
        Numerics.AssertClose(A.Select(x => PyMod(x, 2.5)).ToArray(), a.remainder(2.5).ToArray<double>(), 1e-15, what: "remainder(double)");
        Numerics.AssertClose(A.Select(x => 1 - x).ToArray(), (1.0 - a).ToArray<double>(), 0, what: "rsub");
        Numerics.AssertClose(A.Select(x => 3 / x).ToArray(), (3.0 / a).ToArray<double>(), 1e-15, what: "rdiv");

        var i = torch.tensor(new long[] { -7, -1, 0, 5, 9 }, device: dev);
        var m = i.remainder(3L);
        Assert.Equal(ScalarType.Int64, m.dtype);
        Assert.Equal(new long[] { 2, 2, 0, 2, 0 }, m.ToArray<long>());
        Assert.Equal(ScalarType.Int64, i.mul(2L).dtype);
        var ops = new[] { i * 2, 2 * i, i + 1, 1 + i, i - 1, 1 - i, i % 4 };
        Assert.All(ops, r => Assert.Equal(ScalarType.Int64, r.dtype));
        Assert.Equal(new long[] { -14, -2, 0, 10, 18 }, ops[0].ToArray<long>());
        Assert.Equal(new long[] { 8, 2, 1, -4, -8 }, ops[5].ToArray<long>());
        Assert.Equal(new long[] { 1, 3, 0, 1, 1 }, ops[6].ToArray<long>());
        Assert.Equal(ScalarType.Float64, (a * 2).dtype); // an integral scalar never demotes a floating tensor
        Assert.Equal(ScalarType.Float32, i.mul(2.0).dtype);
        Assert.Equal(ScalarType.Float32, i.div(2.0).dtype);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void InPlaceOpsWriteIntoTheSameTensor(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(A, new long[] { 2, 3 }, dev);
        var b = torch.tensor(B, device: dev);
        var alias = a.alias();

        Assert.Same(a, a.sub_(b, alpha: 2));
        var expected = Broadcast((x, y) => x - 2 * y);
        Numerics.AssertClose(expected, alias.ToArray<double>(), 1e-15, what: "sub_");
        a.mul_(b);
        expected = expected.Select((x, k) => x * B[k % 3]).ToArray();
        Numerics.AssertClose(expected, alias.ToArray<double>(), 1e-15, what: "mul_(Tensor)");
        a.div_(b);
        expected = expected.Select((x, k) => x / B[k % 3]).ToArray();
        Numerics.AssertClose(expected, alias.ToArray<double>(), 1e-14, what: "div_(Tensor)");
        a.div_(4.0).add_(1.0).sub_(0.25);
        expected = expected.Select(x => x / 4 + 1 - 0.25).ToArray();
        Numerics.AssertClose(expected, alias.ToArray<double>(), 1e-14, what: "div_/add_/sub_(double)");
        a.clamp_(min: -1.0, max: 2.0);
        expected = expected.Select(x => Math.Clamp(x, -1.0, 2.0)).ToArray();
        Numerics.AssertClose(expected, alias.ToArray<double>(), 0, what: "clamp_");
        a.fill_(0.125);
        Assert.All(alias.ToArray<double>(), x => Assert.Equal(0.125, x));
        var flags = torch.zeros(new long[] { 3 }, ScalarType.Bool, (Device)dev).fill_(true);
        Assert.Equal(new[] { true, true, true }, flags.ToArray<bool>());
    }

    public static TheoryData<string, string> UnaryCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Unary.Keys)
        {
            data.Add("cpu", name);
            data.Add(new TheoryDataRow<string, string>("cuda", name) { Skip = TestDevices.SkipReason("cuda") });
        }
        return data;
    }

    private static readonly Dictionary<string, (Func<Tensor, Tensor> op, Func<double, double> reference, bool positiveOnly)> Unary = new()
    {
        ["exp"] = (t => t.exp(), Math.Exp, false),
        ["log"] = (t => t.log(), Math.Log, true),
        ["log1p"] = (t => t.log1p(), x => Math.Log(1 + x), true),
        ["expm1"] = (t => t.expm1(), x => Math.Exp(x) - 1, false),
        ["sin"] = (t => t.sin(), Math.Sin, false),
        ["cos"] = (t => t.cos(), Math.Cos, false),
        ["sqrt"] = (t => t.sqrt(), Math.Sqrt, true),
        ["rsqrt"] = (t => t.rsqrt(), x => 1 / Math.Sqrt(x), true),
        ["abs"] = (t => t.abs(), Math.Abs, false),
        ["neg"] = (t => -t, x => -x, false),
        ["reciprocal"] = (t => t.reciprocal(), x => 1 / x, false),
        ["sign"] = (t => t.sign(), x => Math.Sign(x), false),
        ["square"] = (t => t.square(), x => x * x, false),
        ["floor"] = (t => t.floor(), Math.Floor, false),
        ["ceil"] = (t => t.ceil(), Math.Ceiling, false),
        ["round"] = (t => t.round(), x => Math.Round(x, MidpointRounding.ToEven), false),
        ["clamp(min)"] = (t => t.clamp(min: -0.75), x => Math.Max(x, -0.75), false),
        ["clamp(max)"] = (t => t.clamp(max: 1.25), x => Math.Min(x, 1.25), false),
        ["clamp(min,max)"] = (t => t.clamp(-0.75, 1.25), x => Math.Clamp(x, -0.75, 1.25), false),
    };

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void UnaryFunctionsMatchTheReference(string dev, string name)
    {
        var (op, reference, positiveOnly) = Unary[name];
        // Includes exact halves (round-half-even), zero (sign) and negatives.
        var x = new[] { -2.5, -1.5, -0.7, 0.0, 0.3, 0.5, 1.5, 2.5, 3.7 };
        if (positiveOnly) x = x.Select(v => Math.Abs(v) + 0.1).ToArray();
        using var t = torch.tensor(x, device: dev);
        using var y = op(t);
        Numerics.AssertClose(x.Select(reference).ToArray(), y.ToArray<double>(), 1e-15, 1e-15, name);
    }

    [Fact]
    public void ClampWithoutBoundsIsRejected()
    {
        using var t = torch.ones(3);
        Assert.ThrowsAny<Exception>(() => t.clamp());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AbsOfComplexIsTheRealMagnitude(string dev)
    {
        using var z = torch.tensor(new[] { new Complex(3, 4), new Complex(-1, 0), new Complex(0, -2) }, device: dev);
        using var r = z.abs();
        Assert.Equal(ScalarType.Float64, r.dtype);
        Numerics.AssertClose(new[] { 5.0, 1.0, 2.0 }, r.ToArray<double>(), 1e-15);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ComparisonsAndLogicGiveBoolTensors(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 1.0, 2.0, 3.0, double.NaN }, device: dev);
        var y = torch.tensor(new[] { 3.0, 2.0, 1.0, 0.0 }, device: dev);
        Assert.Equal(ScalarType.Bool, x.eq(y).dtype);
        Assert.Equal(new[] { false, true, false, false }, x.eq(y).ToArray<bool>());
        Assert.Equal(new[] { true, false, true, true }, x.ne(y).ToArray<bool>());
        Assert.Equal(new[] { true, false, false, false }, x.lt(y).ToArray<bool>());
        Assert.Equal(new[] { true, true, false, false }, x.le(y).ToArray<bool>());
        Assert.Equal(new[] { false, false, true, false }, x.gt(y).ToArray<bool>());
        Assert.Equal(new[] { false, true, true, false }, x.ge(y).ToArray<bool>());
        Assert.Equal(new[] { false, true, false, false }, x.eq(2.0).ToArray<bool>());
        Assert.Equal(new[] { true, false, true, true }, x.ne(2L).ToArray<bool>());
        Assert.Equal(new[] { true, false, false, false }, x.lt(2.0).ToArray<bool>());
        Assert.Equal(new[] { true, true, false, false }, x.le(2.0).ToArray<bool>());
        Assert.Equal(new[] { false, false, true, false }, x.gt(2.0).ToArray<bool>());
        Assert.Equal(new[] { false, true, true, false }, x.ge(2.0).ToArray<bool>());

        var p = x.gt(1.5);
        var q = y.gt(1.5);
        Assert.Equal(new[] { false, true, false, false }, p.logical_and(q).ToArray<bool>());
        Assert.Equal(new[] { true, true, true, false }, p.logical_or(q).ToArray<bool>());
        Assert.Equal(new[] { true, false, false, true }, p.logical_not().ToArray<bool>());

        var special = torch.tensor(new[] { 1.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity }, device: dev);
        Assert.Equal(new[] { false, true, false, false }, special.isnan().ToArray<bool>());
        Assert.Equal(new[] { false, false, true, true }, special.isinf().ToArray<bool>());
        Assert.Equal(new[] { true, false, false, false }, special.isfinite().ToArray<bool>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AllcloseAndEqualCompareWholeTensors(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new[] { 1.0, 2.0, double.NaN }, device: dev);
        var b = torch.tensor(new[] { 1.0 + 1e-9, 2.0, double.NaN }, device: dev);
        Assert.False(a.allclose(b));
        Assert.True(a.allclose(b, equal_nan: true));
        Assert.False(torch.allclose(a, b * 1.001, equal_nan: true));
        Assert.True(torch.allclose(a, b * 1.001, rtol: 1e-2, equal_nan: true));
        var c = torch.tensor(new[] { 1.0, 2.0 }, device: dev);
        Assert.True(c.equal(torch.tensor(new[] { 1.0, 2.0 }, device: dev)));
        Assert.False(torch.equal(c, torch.tensor(new[] { 1.0, 2.5 }, device: dev)));
        Assert.False(c.equal(torch.tensor(new[] { 1.0, 2.0, 3.0 }, device: dev)));
        Assert.False(ReferenceEquals(c, c.alias()));
    }

    // ---- matrix products ------------------------------------------------------------------------------

    /// <summary>(n, k) @ (k, m), row-major, in float64.</summary>
    private static double[] MatMul(double[] a, double[] b, int n, int k, int m, int aOffset = 0, int bOffset = 0)
    {
        var c = new double[n * m];
        for (var i = 0; i < n; i++)
        for (var j = 0; j < m; j++)
        {
            var s = 0.0;
            for (var p = 0; p < k; p++) s += a[aOffset + i * k + p] * b[bOffset + p * m + j];
            c[i * m + j] = s;
        }
        return c;
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void MatrixProductsMatchTheReference(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var a = Uniform(2 * 3 * 4, 1);
        var b = Uniform(2 * 4 * 5, 2);
        var ta = torch.tensor(a, new long[] { 2, 3, 4 }, dev);
        var tb = torch.tensor(b, new long[] { 2, 4, 5 }, dev);
        var batched = MatMul(a, b, 3, 4, 5).Concat(MatMul(a, b, 3, 4, 5, 12, 20)).ToArray();
        Numerics.AssertClose(batched, ta.bmm(tb).ToArray<double>(), 1e-14, what: "bmm");
        Numerics.AssertClose(batched, torch.matmul(ta, tb).ToArray<double>(), 1e-14, what: "matmul batched");
        Numerics.AssertClose(batched, torch.einsum("bij,bjk->bik", ta, tb).ToArray<double>(), 1e-14, what: "einsum");

        // (2, 3, 4) @ (4, 5): the matrix broadcasts over the batch.
        var tb0 = torch.tensor(b[..20], new long[] { 4, 5 }, dev);
        var broadcast = MatMul(a, b, 3, 4, 5).Concat(MatMul(a, b, 3, 4, 5, 12, 0)).ToArray();
        Numerics.AssertClose(broadcast, ta.matmul(tb0).ToArray<double>(), 1e-14, what: "matmul broadcast");

        var u = torch.tensor(a[..4], device: dev);
        var v = torch.tensor(b[..5], device: dev);
        var outer = MatMul(a[..4], b[..5], 4, 1, 5);
        Numerics.AssertClose(outer, u.outer(v).ToArray<double>(), 1e-15, what: "outer");
        var u2 = torch.tensor(b[..4], device: dev);
        var dot = a[..4].Zip(b[..4], (x, y) => x * y).Sum();
        Numerics.AssertClose(new[] { dot }, torch.einsum("i,i->", u, u2).ToArray<double>(), 1e-14, what: "einsum dot");

        // addmm: 0.5·bias + 2·(m1 @ m2), bias (5) broadcast over rows.
        var m1 = torch.tensor(a[..12], new long[] { 3, 4 }, dev);
        var bias = torch.tensor(b[..5], device: dev);
        var product = MatMul(a, b, 3, 4, 5);
        var expected = product.Select((p, k) => 0.5 * b[k % 5] + 2 * p).ToArray();
        Numerics.AssertClose(expected, torch.addmm(bias, m1, tb0, beta: 0.5, alpha: 2).ToArray<double>(), 1e-14, what: "addmm");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void MatmulAndEinsumGradientsMatchFiniteDifferences(string dev)
    {
        var a = Uniform(6, 3);
        var b = Uniform(12, 4);
        var w = Uniform(8, 5);
        long[][] shapes = { new long[] { 2, 3 }, new long[] { 3, 4 }, new long[] { 2, 4 } };
        // Σ w ∘ (a @ b): a weighted sum, so every gradient entry differs.
        Tensor F(Tensor[] x) => (x[0].matmul(x[1]) * x[2]).sum();
        AssertGradient(F, new[] { a, b, w }, shapes, 0, dev);
        AssertGradient(F, new[] { a, b, w }, shapes, 1, dev);
        Tensor E(Tensor[] x) => torch.einsum("ij,jk,ik->", x[0], x[1], x[2]);
        AssertGradient(E, new[] { a, b, w }, shapes, 1, dev);
    }

    [Fact]
    public void ShapeMistakesNameTheShapes()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.zeros(2, 3);
        var b = torch.zeros(4, 5);
        var e = Assert.Throws<ArgumentException>(() => a.matmul(b));
        Assert.Contains("[2, 3] @ [4, 5]", e.Message);
        Assert.Contains("3 with 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => a.bmm(b));
        Assert.Contains("rank-3", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => torch.zeros(2, 3, 4).bmm(torch.zeros(3, 4, 5)));
        Assert.Contains("batch sizes differ", e.Message);
        e = Assert.Throws<ArgumentException>(() => torch.zeros(2, 3, 4).bmm(torch.zeros(2, 3, 5)));
        Assert.Contains("[2, 3, 4] @ [2, 3, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => torch.addmm(torch.zeros(5), a, b));
        Assert.Contains("[2, 3] @ [4, 5]", e.Message);
    }

    [Fact]
    public void IntegerTensorsAddWithAWholeAlphaAndRejectAFractionalOne()
    {
        using var a = torch.tensor(new long[] { 1, 2, 3 });
        using var b = torch.tensor(new long[] { 10, 20, 30 });
        using var sum = a.add(b);
        Assert.Equal(new long[] { 11, 22, 33 }, sum.ToArray<long>());
        using var diff = a.sub(b, alpha: 2);
        Assert.Equal(new long[] { -19, -38, -57 }, diff.ToArray<long>());
        using var f = torch.tensor(new float[] { 1, 2 });
        using var g = f.add(f, alpha: 0.5);                    // fractional alpha still works for floats
        Assert.Equal(new float[] { 1.5f, 3f }, g.ToArray<float>());
        Assert.ThrowsAny<TorchException>(() => a.add(b, alpha: 0.5));
    }
}
