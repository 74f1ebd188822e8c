using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

/// <summary>
/// torch.nn.functional.rms_norm_fused: forward against the composite formula evaluated in managed float64, and its
/// hand-written backward against central finite differences of that formula.
/// </summary>
public class FusedOpsTests
{
    private const int Rows = 6;   // (2, 3) leading dimensions
    private const int D = 5;
    private const double Eps = 1e-5;
    private static readonly long[] XShape = { 2, 3, D };

    private static double[] Random(int n, int seed, double scale = 1, double offset = 0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => offset + scale * (2 * rng.NextDouble() - 1)).ToArray();
    }

    /// <summary>y = x · (mean(x², -1) + eps)^(-1/2) · w, row by row, in float64.</summary>
    private static double[] Reference(double[] x, double[] w)
    {
        var y = new double[x.Length];
        for (var r = 0; r < x.Length / D; r++)
        {
            var ms = 0.0;
            for (var j = 0; j < D; j++) ms += x[r * D + j] * x[r * D + j];
            var rstd = 1 / Math.Sqrt(ms / D + Eps);
            for (var j = 0; j < D; j++) y[r * D + j] = x[r * D + j] * rstd * w[j];
        }
        return y;
    }

    /// <summary>The loss Σ y·G the gradient tests back-propagate (backward with gradient G).</summary>
    private static double Loss(double[] x, double[] w, double[] g) => Reference(x, w).Zip(g, (y, gk) => y * gk).Sum();

    /// <summary>Central differences of <see cref="Loss"/> with respect to every element of <paramref name="wrt"/>.</summary>
    private static double[] FiniteDifferences(double[] x, double[] w, double[] g, double[] wrt)
    {
        const double h = 1e-6;
        var grad = new double[wrt.Length];
        for (var k = 0; k < wrt.Length; k++)
        {
            var saved = wrt[k];
            wrt[k] = saved + h;
            var plus = Loss(x, w, g);
            wrt[k] = saved - h;
            var minus = Loss(x, w, g);
            wrt[k] = saved;
            grad[k] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Float64ForwardAndGradientsMatchTheFormula(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var xs = Random(Rows * D, 1, scale: 2);
        var ws = Random(D, 2, scale: 0.5, offset: 1);
        var gs = Random(Rows * D, 3);
        var x = torch.tensor(xs, XShape, device, requires_grad: true);
        var w = torch.tensor(ws, null, device, requires_grad: true);

        var y = torch.nn.functional.rms_norm_fused(x, w, Eps);
        Assert.Equal(XShape, y.shape);
        Assert.Equal(ScalarType.Float64, y.dtype);
        Numerics.AssertClose(Reference(xs, ws), y.ToArray<double>(), atol: 1e-14, rtol: 1e-13, what: "y");

        y.backward(torch.tensor(gs, XShape, device));
        Numerics.AssertClose(FiniteDifferences(xs, ws, gs, xs), x.grad!.ToArray<double>(), atol: 1e-8, what: "dL/dx");
        Numerics.AssertClose(FiniteDifferences(xs, ws, gs, ws), w.grad!.ToArray<double>(), atol: 1e-8, what: "dL/dw");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Float32MatchesTheFloat64Formula(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var xs = Random(Rows * D, 4, scale: 3);
        var ws = Random(D, 5, offset: 1);
        var gs = Random(Rows * D, 6);
        var x = torch.tensor(xs.Select(v => (float)v).ToArray(), XShape, device, requires_grad: true);
        var w = torch.tensor(ws.Select(v => (float)v).ToArray(), null, device, requires_grad: true);
        // The reference sees exactly the float32 inputs.
        var xr = x.ToArray<float>().Select(v => (double)v).ToArray();
        var wr = w.ToArray<float>().Select(v => (double)v).ToArray();

        var y = torch.nn.functional.rms_norm_fused(x, w, Eps);
        Assert.Equal(ScalarType.Float32, y.dtype);
        Numerics.AssertClose(Reference(xr, wr).Select(v => (float)v).ToArray(), y.ToArray<float>(), atol: 1e-6, rtol: 1e-5, what: "y");

        y.backward(torch.tensor(gs.Select(v => (float)v).ToArray(), XShape, device));
        Numerics.AssertClose(FiniteDifferences(xr, wr, gs, xr).Select(v => (float)v).ToArray(), x.grad!.ToArray<float>(),
            atol: 1e-5, rtol: 1e-4, what: "dL/dx");
        Numerics.AssertClose(FiniteDifferences(xr, wr, gs, wr).Select(v => (float)v).ToArray(), w.grad!.ToArray<float>(),
            atol: 1e-5, rtol: 1e-4, what: "dL/dw");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BFloat16InputsAreNormalisedInFloat32(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        // Large offset: mean(x²) of a bf16 row summed in bf16 would be off by several ulps; in float32 it is not.
        var xs = Random(Rows * D, 7, scale: 4, offset: 20);
        var ws = Random(D, 8, offset: 1);
        var gs = Random(Rows * D, 9);
        var x = torch.tensor(xs.Select(v => (BFloat16)(float)v).ToArray(), XShape, device, requires_grad: true);
        var w = torch.tensor(ws.Select(v => (BFloat16)(float)v).ToArray(), null, device, requires_grad: true);
        var xr = x.ToArray<BFloat16>().Select(v => (double)(float)v).ToArray();
        var wr = w.ToArray<BFloat16>().Select(v => (double)(float)v).ToArray();

        var y = torch.nn.functional.rms_norm_fused(x, w, Eps);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        // One bf16 rounding of the float32 result: relative error ≤ 2⁻⁸ (bf16 keeps 8 significant bits).
        var yActual = y.ToArray<BFloat16>().Select(v => (double)(float)v).ToArray();
        Numerics.AssertClose(Reference(xr, wr), yActual, atol: 0, rtol: 1.0 / 256, what: "y");

        y.backward(torch.tensor(gs.Select(v => (BFloat16)(float)v).ToArray(), XShape, device));
        var gr = gs.Select(v => (double)(float)(BFloat16)(float)v).ToArray();
        Assert.Equal(ScalarType.BFloat16, x.grad!.dtype);
        Assert.Equal(ScalarType.BFloat16, w.grad!.dtype);
        var dx = x.grad!.ToArray<BFloat16>().Select(v => (double)(float)v).ToArray();
        var dw = w.grad!.ToArray<BFloat16>().Select(v => (double)(float)v).ToArray();
        // dL/dx is a difference of two O(1/rms) terms: allow a few bf16 ulps of the larger one.
        Numerics.AssertClose(FiniteDifferences(xr, wr, gr, xr), dx, atol: 2e-4, rtol: 1.0 / 256, what: "dL/dx");
        Numerics.AssertClose(FiniteDifferences(xr, wr, gr, wr), dw, atol: 1e-3, rtol: 1.0 / 256, what: "dL/dw");
    }

    [Fact]
    public void GradientsFlowThroughAutogradGrad()
    {
        using var scope = torch.NewDisposeScope();
        var xs = Random(Rows * D, 10);
        var ws = Random(D, 11, offset: 1);
        var ones = Enumerable.Repeat(1.0, Rows * D).ToArray();
        var x = torch.tensor(xs, XShape, requires_grad: true);
        var w = torch.tensor(ws, null, requires_grad: true);
        var loss = torch.nn.functional.rms_norm_fused(x, w, Eps).sum();
        var grads = torch.autograd.grad(new[] { loss }, new[] { x, w });
        Numerics.AssertClose(FiniteDifferences(xs, ws, ones, ws), grads[1]!.ToArray<double>(), atol: 1e-8, what: "dL/dw");
        Assert.Null(x.grad);
    }

    [Fact]
    public void RejectsAWeightOfTheWrongShape()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros(2, 3, 4);
        var w = torch.ones(3);
        var e = Assert.Throws<ArgumentException>(() => torch.nn.functional.rms_norm_fused(x, w));
        Assert.Contains("[2, 3, 4]", e.Message);
        Assert.Contains("[3]", e.Message);
    }
}
