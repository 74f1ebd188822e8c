using static Lrnn.Tests.Support.GradCheck;
using System.Numerics;
using Lrnn.Ops;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Ops;

/// <summary>
/// ops.linear_scan against the recurrence h_t = a_t·h_{t−1} + b_t run step by step in managed float64
/// (complex: System.Numerics.Complex): states, final state, and the hand-written backward against central
/// finite differences of that recurrence. Lengths are chosen so that the chunked scan has several chunks and
/// a ragged tail (37 → chunks of 4 and one step left; 200 → chunks of 10 and none).
/// </summary>
public class LinearScanTests
{
    private const int Batch = 2;
    private const int Width = 3;

    /// <summary>A (Batch, L, Width) problem in row-major float64: a, b, h0 (Batch, Width) and the loss weights.</summary>
    private sealed record Problem(int L, double[] A, double[] B, double[] H0, double[] G, double[] GLast)
    {
        public long[] Shape => new long[] { Batch, L, Width };
        public static long[] StateShape => new long[] { Batch, Width };
    }

    private static Problem MakeProblem(int length, double decayLo, double decayHi, int seed) =>
        new(length,
            Uniform(Batch * length * Width, seed, decayLo, decayHi),
            Uniform(Batch * length * Width, seed + 1, -1, 1),
            Uniform(Batch * Width, seed + 2, -1, 1),
            Uniform(Batch * length * Width, seed + 3, -1, 1),
            Uniform(Batch * Width, seed + 4, -1, 1));

    /// <summary>The recurrence, step by step: every state (Batch, L, Width) and the final one (Batch, Width).</summary>
    private static (double[] h, double[] last) Reference(int length, double[] a, double[] b, double[]? h0)
    {
        var h = new double[b.Length];
        var last = new double[Batch * Width];
        for (var n = 0; n < Batch; n++)
            for (var d = 0; d < Width; d++)
            {
                var state = h0?[n * Width + d] ?? 0.0;
                for (var t = 0; t < length; t++)
                {
                    var k = (n * length + t) * Width + d;
                    state = a[k] * state + b[k];
                    h[k] = state;
                }
                last[n * Width + d] = state;
            }
        return (h, last);
    }

    /// <summary>The scalar the gradient tests differentiate: Σ h·G + Σ hLast·GLast.</summary>
    private static double Loss(Problem p)
    {
        var (h, last) = Reference(p.L, p.A, p.B, p.H0);
        return h.Zip(p.G, (x, g) => x * g).Sum() + last.Zip(p.GLast, (x, g) => x * g).Sum();
    }

    public static TheoryData<string, int, double, double> RealCases()
    {
        var data = new TheoryData<string, int, double, double>();
        foreach (var dev in new[] { "cpu", "cuda" })
            foreach (var (length, lo, hi) in new[] { (37, 0.0, 1.0), (200, 0.9, 1.0), (37, 0.0, 0.05), (200, 0.999, 1.0), (5, -1.0, 1.0) })
            {
                var row = new TheoryDataRow<string, int, double, double>(dev, length, lo, hi);
                row.Skip = TestDevices.SkipReason(dev);
                data.Add(row);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(RealCases))]
    public void Float64StatesAndGradientsMatchTheRecurrence(string dev, int length, double decayLo, double decayHi)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var p = MakeProblem(length, decayLo, decayHi, seed: length);
        var a = torch.tensor(p.A, p.Shape, device, requires_grad: true);
        var b = torch.tensor(p.B, p.Shape, device, requires_grad: true);
        var h0 = torch.tensor(p.H0, Problem.StateShape, device, requires_grad: true);

        var (h, hLast) = ops.linear_scan(a, b, h0);
        Assert.Equal(p.Shape, h.shape);
        Assert.Equal(Problem.StateShape, hLast.shape);
        Assert.Equal(ScalarType.Float64, h.dtype);
        var (expected, expectedLast) = Reference(length, p.A, p.B, p.H0);
        Numerics.AssertClose(expected, h.ToArray<double>(), atol: 1e-12, rtol: 1e-12, what: "h");
        Numerics.AssertClose(expectedLast, hLast.ToArray<double>(), atol: 1e-12, rtol: 1e-12, what: "hLast");

        ((h * torch.tensor(p.G, p.Shape, device)).sum() + (hLast * torch.tensor(p.GLast, Problem.StateShape, device)).sum()).backward();
        Numerics.AssertClose(GradCheck.Numeric(p.A, () => Loss(p)), a.grad!.ToArray<double>(), atol: 1e-7, rtol: 1e-7, what: "dL/da");
        Numerics.AssertClose(GradCheck.Numeric(p.B, () => Loss(p)), b.grad!.ToArray<double>(), atol: 1e-7, rtol: 1e-7, what: "dL/db");
        Numerics.AssertClose(GradCheck.Numeric(p.H0, () => Loss(p)), h0.grad!.ToArray<double>(), atol: 1e-7, rtol: 1e-7, what: "dL/dh0");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void WithoutH0TheScanStartsFromZeroAndOnlyTheUsedOutputFeedsTheGradient(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var p = MakeProblem(37, 0.5, 1.0, seed: 7);
        var a = torch.tensor(p.A, p.Shape, device, requires_grad: true);
        var b = torch.tensor(p.B, p.Shape, device, requires_grad: true);

        var (h, hLast) = ops.linear_scan(a, b);
        var (expected, expectedLast) = Reference(p.L, p.A, p.B, null);
        Numerics.AssertClose(expected, h.ToArray<double>(), atol: 1e-12, rtol: 1e-12, what: "h");
        Numerics.AssertClose(expectedLast, hLast.ToArray<double>(), atol: 1e-12, rtol: 1e-12, what: "hLast");

        // Only hLast is used: dL/db_t = GLast · Π_{s>t} a_s.
        (hLast * torch.tensor(p.GLast, Problem.StateShape, device)).sum().backward();
        var expectedGradB = new double[p.B.Length];
        for (var n = 0; n < Batch; n++)
            for (var d = 0; d < Width; d++)
            {
                var carry = p.GLast[n * Width + d];
                for (var t = p.L - 1; t >= 0; t--)
                {
                    var k = (n * p.L + t) * Width + d;
                    expectedGradB[k] = carry;
                    carry *= p.A[k];
                }
            }
        Numerics.AssertClose(expectedGradB, b.grad!.ToArray<double>(), atol: 1e-12, rtol: 1e-12, what: "dL/db");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ComplexDecaysGiveTheComplexStatesAndPyTorchsConjugateGradients(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        const int length = 37;
        var n = Batch * length * Width;
        // |a| in [0.5, 1), phase in [−π, π): rotating, decaying states.
        var radius = Uniform(n, 11, 0.5, 1.0);
        var phase = Uniform(n, 12, -Math.PI, Math.PI);
        var aRe = radius.Zip(phase, (r, f) => r * Math.Cos(f)).ToArray();
        var aIm = radius.Zip(phase, (r, f) => r * Math.Sin(f)).ToArray();
        var bRe = Uniform(n, 13, -1, 1);
        var bIm = Uniform(n, 14, -1, 1);
        var h0Re = Uniform(Batch * Width, 15, -1, 1);
        var h0Im = Uniform(Batch * Width, 16, -1, 1);
        var gRe = Uniform(n, 17, -1, 1);
        var gIm = Uniform(n, 18, -1, 1);
        var inputs = new[] { aRe, aIm, bRe, bIm, h0Re, h0Im };
        long[] shape = { Batch, length, Width };

        // L = Σ Re(conj(G)·h) = Σ Re(G)Re(h) + Im(G)Im(h): PyTorch's gradient of a complex input z is ∂L/∂Re z + i·∂L/∂Im z.
        // The direct complex recurrence in float64, read from the (perturbable) input arrays.
        Complex[] Recurrence()
        {
            var states = new Complex[n];
            for (var b = 0; b < Batch; b++)
                for (var d = 0; d < Width; d++)
                {
                    var state = new Complex(h0Re[b * Width + d], h0Im[b * Width + d]);
                    for (var t = 0; t < length; t++)
                    {
                        var k = (b * length + t) * Width + d;
                        state = new Complex(aRe[k], aIm[k]) * state + new Complex(bRe[k], bIm[k]);
                        states[k] = state;
                    }
                }
            return states;
        }
        double Loss() => Recurrence().Select((h, k) => gRe[k] * h.Real + gIm[k] * h.Imaginary).Sum();

        var a = torch.complex(torch.tensor(aRe, shape, device), torch.tensor(aIm, shape, device)).requires_grad_();
        var bz = torch.complex(torch.tensor(bRe, shape, device), torch.tensor(bIm, shape, device)).requires_grad_();
        var h0 = torch.complex(torch.tensor(h0Re, Problem.StateShape, device), torch.tensor(h0Im, Problem.StateShape, device)).requires_grad_();
        var (h, hLast) = ops.linear_scan(a, bz, h0);
        Assert.Equal(ScalarType.ComplexFloat64, h.dtype);

        var states = h.ToArray<Complex>();
        var expected = Recurrence();
        Numerics.AssertClose(expected.Select(c => c.Real).ToArray(), states.Select(c => c.Real).ToArray(), 1e-12, what: "Re h");
        Numerics.AssertClose(expected.Select(c => c.Imaginary).ToArray(), states.Select(c => c.Imaginary).ToArray(), 1e-12, what: "Im h");
        var lastExpected = Enumerable.Range(0, Batch * Width).Select(j => expected[((j / Width) * length + length - 1) * Width + j % Width]).ToArray();
        var last = hLast.ToArray<Complex>();
        Numerics.AssertClose(lastExpected.Select(c => c.Real).ToArray(), last.Select(c => c.Real).ToArray(), 1e-12, what: "Re hLast");
        Numerics.AssertClose(lastExpected.Select(c => c.Imaginary).ToArray(), last.Select(c => c.Imaginary).ToArray(), 1e-12, what: "Im hLast");

        (h.real * torch.tensor(gRe, shape, device) + h.imag * torch.tensor(gIm, shape, device)).sum().backward();
        var grads = new[] { a.grad!, bz.grad!, h0.grad! }.Select(g => g.ToArray<Complex>()).ToArray();
        for (var i = 0; i < 3; i++)
        {
            var re = inputs[2 * i];
            var im = inputs[2 * i + 1];
            var numeric = GradCheck.Numeric(re, Loss).Zip(GradCheck.Numeric(im, Loss), (r, m) => new Complex(r, m)).ToArray();
            Numerics.AssertClose(numeric.Select(c => c.Real).ToArray(), grads[i].Select(c => c.Real).ToArray(), 1e-7, 1e-7, $"Re grad of input {i}");
            Numerics.AssertClose(numeric.Select(c => c.Imaginary).ToArray(), grads[i].Select(c => c.Imaginary).ToArray(), 1e-7, 1e-7, $"Im grad of input {i}");
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BroadcastDecaysAlongAnyTimeDimensionGetGradientsSummedToTheirShape(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        // Time first (dim 0): b (L, Batch, Width), a (L, 1, Width) shared across the batch.
        const int length = 37;
        var aShared = Uniform(length * Width, 21, 0.0, 1.0);
        var b = Uniform(length * Batch * Width, 22, -1, 1);
        var g = Uniform(length * Batch * Width, 23, -1, 1);
        long[] shape = { length, Batch, Width };

        // The same problem in the (Batch, L, Width) layout of the reference.
        double[] ToBatchMajor(Func<int, int, int, double> at)
        {
            var v = new double[Batch * length * Width];
            for (var n = 0; n < Batch; n++)
                for (var t = 0; t < length; t++)
                    for (var d = 0; d < Width; d++)
                        v[(n * length + t) * Width + d] = at(t, n, d);
            return v;
        }
        double Loss()
        {
            var (h, _) = Reference(length, ToBatchMajor((t, _, d) => aShared[t * Width + d]), ToBatchMajor((t, n, d) => b[(t * Batch + n) * Width + d]), null);
            var gb = ToBatchMajor((t, n, d) => g[(t * Batch + n) * Width + d]);
            return h.Zip(gb, (x, w) => x * w).Sum();
        }

        var aT = torch.tensor(aShared, new long[] { length, 1, Width }, device, requires_grad: true);
        var bT = torch.tensor(b, shape, device, requires_grad: true);
        var (hT, hLast) = ops.linear_scan(aT, bT, dim: 0);
        Assert.Equal(shape, hT.shape);
        Assert.Equal(Problem.StateShape, hLast.shape);
        var (expected, _) = Reference(length, ToBatchMajor((t, _, d) => aShared[t * Width + d]), ToBatchMajor((t, n, d) => b[(t * Batch + n) * Width + d]), null);
        var actual = hT.ToArray<double>();
        Numerics.AssertClose(expected, ToBatchMajor((t, n, d) => actual[(t * Batch + n) * Width + d]), 1e-12, 1e-12, "h");

        (hT * torch.tensor(g, shape, device)).sum().backward();
        Assert.Equal(new long[] { length, 1, Width }, aT.grad!.shape);
        Numerics.AssertClose(GradCheck.Numeric(aShared, Loss),
            aT.grad!.ToArray<double>(), 1e-7, 1e-7, "dL/da");
        Numerics.AssertClose(GradCheck.Numeric(b, Loss),
            bT.grad!.ToArray<double>(), 1e-7, 1e-7, "dL/db");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BFloat16InputsAccumulateInFloat32(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        // a = 1, b = 0.01 for 1000 steps: h reaches 10. A bfloat16 accumulator stalls at 4 (0.01 is below half
        // its spacing there); a float32 one ends at 10.01 ± 1e-4, which rounds to bf16 10.
        const int length = 1000;
        var a = torch.ones(new long[] { 1, length, 1 }, ScalarType.BFloat16, device);
        var b = torch.full(new long[] { 1, length, 1 }, 0.01, ScalarType.BFloat16, device);
        var (h, hLast) = ops.linear_scan(a, b);
        Assert.Equal(ScalarType.BFloat16, h.dtype);
        Assert.Equal(ScalarType.BFloat16, hLast.dtype);
        var step = b.to(ScalarType.Float64).ToArray<double>()[0];  // 0.01 rounded to bf16
        Assert.Equal(length * step, hLast.to(ScalarType.Float64).item<double>(), 0.05);

        // Random problem: the states are the float64 recurrence of the bf16 inputs, rounded once to bf16.
        var p = MakeProblem(200, 0.9, 1.0, seed: 31);
        var a16 = torch.tensor(p.A, p.Shape, device).to(ScalarType.BFloat16).requires_grad_();
        var b16 = torch.tensor(p.B, p.Shape, device).to(ScalarType.BFloat16).requires_grad_();
        var (h16, _) = ops.linear_scan(a16, b16);
        var (expected, _) = Reference(p.L, a16.to(ScalarType.Float64).ToArray<double>(), b16.to(ScalarType.Float64).ToArray<double>(), null);
        Numerics.AssertClose(expected, h16.to(ScalarType.Float64).ToArray<double>(), atol: 1e-2, rtol: 8e-3, what: "bf16 h");

        var g16 = torch.tensor(p.G, p.Shape, device).to(ScalarType.BFloat16);
        (h16 * g16).sum().backward();  // dL/dh = g16 exactly
        Assert.Equal(ScalarType.BFloat16, a16.grad!.dtype);
        Assert.Equal(ScalarType.BFloat16, b16.grad!.dtype);
        var gradB = new double[p.B.Length];  // dL/db_t = Σ_{s≥t} G_s Π_{t<r≤s} a_r, in float64 on the bf16 values
        var aRounded = a16.to(ScalarType.Float64).ToArray<double>();
        var gRounded = g16.to(ScalarType.Float64).ToArray<double>();
        for (var n = 0; n < Batch; n++)
            for (var d = 0; d < Width; d++)
            {
                var carry = 0.0;
                for (var t = p.L - 1; t >= 0; t--)
                {
                    var k = (n * p.L + t) * Width + d;
                    carry += gRounded[k];
                    gradB[k] = carry;
                    carry *= aRounded[k];
                }
            }
        Numerics.AssertClose(gradB, b16.grad!.to(ScalarType.Float64).ToArray<double>(), atol: 1e-2, rtol: 8e-3, what: "bf16 dL/db");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LongFloat32ScansStayWithinFloat32RoundingOfTheFloat64Recurrence(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var p = MakeProblem(2048, 0.9, 1.0, seed: 41);
        var a = torch.tensor(p.A, p.Shape, device).to(ScalarType.Float32);
        var b = torch.tensor(p.B, p.Shape, device).to(ScalarType.Float32);
        var (h, _) = ops.linear_scan(a, b);
        var (expected, _) = Reference(p.L, a.to(ScalarType.Float64).ToArray<double>(), b.to(ScalarType.Float64).ToArray<double>(), null);
        var scale = expected.Max(Math.Abs);
        Numerics.AssertClose(expected, h.to(ScalarType.Float64).ToArray<double>(), atol: 1e-5 * scale, what: "float32 h");
    }

    [Fact]
    public void MisshapenArgumentsAreRejectedWithTheShapes()
    {
        using var scope = torch.NewDisposeScope();
        var b = torch.zeros(new long[] { 2, 5, 3 });
        var e = Assert.Throws<ArgumentException>(() => ops.linear_scan(torch.zeros(new long[] { 4, 3 }), b));
        Assert.Contains("[4, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => ops.linear_scan(torch.zeros(new long[] { 5, 1 }), b, torch.zeros(new long[] { 2, 5 })));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ops.linear_scan(b, b, dim: 3));
    }
}
