using static Lrnn.Tests.Support.GradCheck;
using Lrnn.Ops;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Ops;

/// <summary>
/// ops.selective_scan against Mamba's recurrence written out step by step in managed float64, for every
/// discretisation with and without event mode: outputs, final state, and every gradient against central finite
/// differences of that recurrence. The scan runs in chunks of 4 steps over 13 steps (three full chunks and a
/// ragged one), so chunk boundaries, the recomputation in backward and the carried gradient are all exercised.
/// </summary>
public class SelectiveScanTests
{
    private const int Batch = 2, Width = 3, State = 4, Length = 13, Chunk = 4;

    /// <summary>Every input of one problem, row-major float64, in mamba_ssm's layout.</summary>
    private sealed class Problem
    {
        public double[] U = null!, Delta = null!, A = null!, B = null!, C = null!, D = null!, Z = null!, Bias = null!, H0 = null!;
        public double[]? DeltaA;
        public double[] G = null!, GLast = null!;
        public string Discretization = "mamba";
        public bool Softplus = true, Gate = true;

        public double[][] Inputs => DeltaA is null
            ? new[] { U, Delta, A, B, C, D, Z, Bias, H0 }
            : new[] { U, Delta, A, B, C, D, Z, Bias, H0, DeltaA };

        public static readonly string[] Names = { "u", "delta", "A", "B", "C", "D", "z", "deltaBias", "h0", "deltaA" };

        public static readonly long[][] Shapes =
        {
            new long[] { Batch, Width, Length }, new long[] { Batch, Width, Length }, new long[] { Width, State },
            new long[] { Batch, State, Length }, new long[] { Batch, State, Length }, new long[] { Width },
            new long[] { Batch, Width, Length }, new long[] { Width }, new long[] { Batch, Width, State },
            new long[] { Batch, Width, Length },
        };
    }

    private static Problem MakeProblem(string discretization, bool eventMode, int seed)
    {
        long BDL = Batch * Width * Length, BNL = Batch * State * Length;
        return new Problem
        {
            Discretization = discretization,
            U = Uniform(BDL, seed, -1, 1),
            Delta = Uniform(BDL, seed + 1, -2, 1),            // through softplus: Δ in about (0.1, 1.3)
            A = Uniform(Width * State, seed + 2, -2, -0.2),    // Mamba's A = −exp(A_log) < 0
            B = Uniform(BNL, seed + 3, -1, 1),
            C = Uniform(BNL, seed + 4, -1, 1),
            D = Uniform(Width, seed + 5, -1, 1),
            Z = Uniform(BDL, seed + 6, -2, 2),
            Bias = Uniform(Width, seed + 7, -0.5, 0.5),
            H0 = Uniform(Batch * Width * State, seed + 8, -1, 1),
            DeltaA = eventMode ? Uniform(BDL, seed + 9, 0.05, 2) : null,
            G = Uniform(BDL, seed + 10, -1, 1),
            GLast = Uniform(Batch * Width * State, seed + 11, -1, 1),
        };
    }

    private static double Softplus(double x) => x > 20 ? x : Math.Log(1 + Math.Exp(x));

    /// <summary>Mamba's recurrence, one step at a time: y (B, D, L) and hLast (B, D, N).</summary>
    private static (double[] y, double[] last) Reference(Problem p)
    {
        var y = new double[Batch * Width * Length];
        var last = new double[Batch * Width * State];
        var h = new double[State];
        for (var b = 0; b < Batch; b++)
            for (var d = 0; d < Width; d++)
            {
                for (var n = 0; n < State; n++) h[n] = p.H0[(b * Width + d) * State + n];
                for (var t = 0; t < Length; t++)
                {
                    var k = (b * Width + d) * Length + t;
                    var dt = p.Softplus ? Softplus(p.Delta[k] + p.Bias[d]) : p.Delta[k] + p.Bias[d];
                    var dtA = p.DeltaA?[k] ?? dt;
                    var sum = 0.0;
                    for (var n = 0; n < State; n++)
                    {
                        var a = p.A[d * State + n];
                        var bn = p.B[(b * State + n) * Length + t];
                        var (aBar, bBar) = p.Discretization switch
                        {
                            "mamba" => (Math.Exp(dtA * a), dt * bn),
                            "zoh" => (Math.Exp(dtA * a), (Math.Exp(dt * a) - 1) / a * bn),
                            "bilinear" => ((1 + dtA * a / 2) / (1 - dtA * a / 2), dt / (1 - dt * a / 2) * bn),
                            "dirac" => (Math.Exp(dtA * a), bn),
                            _ => throw new ArgumentException(p.Discretization),
                        };
                        h[n] = aBar * h[n] + bBar * p.U[k];
                        sum += p.C[(b * State + n) * Length + t] * h[n];
                    }
                    var z = p.Z[k];
                    y[k] = (sum + p.D[d] * p.U[k]) * (p.Gate ? z / (1 + Math.Exp(-z)) : 1);
                }
                for (var n = 0; n < State; n++) last[(b * Width + d) * State + n] = h[n];
            }
        return (y, last);
    }

    private static double Loss(Problem p)
    {
        var (y, last) = Reference(p);
        return y.Zip(p.G, (v, g) => v * g).Sum() + last.Zip(p.GLast, (v, g) => v * g).Sum();
    }

    private static (Tensor y, Tensor hLast) Run(Tensor[] x, string discretization, long chunk) =>
        ops.selective_scan(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], deltaSoftplus: true, h0: x[8],
            discretization: discretization, deltaA: x.Length > 9 ? x[9] : null, chunk: chunk);

    public static TheoryData<string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var dev in new[] { "cpu", "cuda" })
            foreach (var disc in new[] { "mamba", "zoh", "bilinear", "dirac" })
                foreach (var eventMode in new[] { false, true })
                {
                    var row = new TheoryDataRow<string, string, bool>(dev, disc, eventMode);
                    row.Skip = TestDevices.SkipReason(dev);
                    data.Add(row);
                }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64OutputsAndGradientsMatchTheRecurrence(string dev, string discretization, bool eventMode)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var p = MakeProblem(discretization, eventMode, seed: 100 + discretization.Length + (eventMode ? 50 : 0));
        var inputs = p.Inputs;
        var x = inputs.Select((v, i) => torch.tensor(v, Problem.Shapes[i], device, requires_grad: true)).ToArray();

        var (y, hLast) = Run(x, discretization, Chunk);
        Assert.Equal(Problem.Shapes[0], y.shape);
        Assert.Equal(Problem.Shapes[8], hLast.shape);
        var (expectedY, expectedLast) = Reference(p);
        Numerics.AssertClose(expectedY, y.ToArray<double>(), atol: 1e-12, rtol: 1e-11, what: "y");
        Numerics.AssertClose(expectedLast, hLast.ToArray<double>(), atol: 1e-12, rtol: 1e-11, what: "hLast");

        ((y * torch.tensor(p.G, Problem.Shapes[0], device)).sum() + (hLast * torch.tensor(p.GLast, Problem.Shapes[8], device)).sum()).backward();
        for (var i = 0; i < inputs.Length; i++)
        {
            var numeric = GradCheck.Numeric(inputs[i], () => Loss(p));
            Numerics.AssertClose(numeric, x[i].grad!.ToArray<double>(), atol: 1e-7, rtol: 1e-6, what: $"dL/d{Problem.Names[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ChunkingAndSplittingTheSequenceThroughHLastDoNotChangeTheResult(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var p = MakeProblem("mamba", eventMode: false, seed: 7);
        var x = p.Inputs.Select((v, i) => torch.tensor(v, Problem.Shapes[i], device)).ToArray();
        var (whole, wholeLast) = Run(x, "mamba", chunk: 0);
        var (chunked, _) = Run(x, "mamba", chunk: 3);
        Numerics.AssertClose(whole.ToArray<double>(), chunked.ToArray<double>(), atol: 1e-13, what: "chunk 3 vs automatic");

        // Prefill 8 steps, continue the remaining 5 from its final state: the same outputs and final state.
        const int split = 8;
        Tensor Part(Tensor t, int i, long start, long length) => i is 0 or 1 or 3 or 4 or 6 ? t.narrow(-1, start, length) : t;
        var first = x.Select((t, i) => Part(t, i, 0, split)).ToArray();
        var (y1, h1) = Run(first, "mamba", chunk: 0);
        var second = x.Select((t, i) => i == 8 ? h1 : Part(t, i, split, Length - split)).ToArray();
        var (y2, h2) = Run(second, "mamba", chunk: 0);
        Numerics.AssertClose(whole.ToArray<double>(), torch.cat(new[] { y1, y2 }, -1).ToArray<double>(), atol: 1e-13, what: "prefill + continue");
        Numerics.AssertClose(wholeLast.ToArray<double>(), h2.ToArray<double>(), atol: 1e-13, what: "final state");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void OptionalArgumentsDefaultToNoSkipNoGateNoBiasAndAZeroState(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var p = MakeProblem("mamba", eventMode: false, seed: 9);
        p.D = new double[Width];
        p.Bias = new double[Width];
        p.H0 = new double[Batch * Width * State];
        p.Delta = p.Delta.Select(Math.Abs).ToArray();
        var x = p.Inputs.Select((v, i) => torch.tensor(v, Problem.Shapes[i], device)).ToArray();
        var (y, hLast) = ops.selective_scan(x[0], x[1], x[2], x[3], x[4]);
        Assert.Equal(ScalarType.Float64, hLast.dtype);

        p.Softplus = false;
        p.Gate = false;
        var (expected, expectedLast) = Reference(p);
        Numerics.AssertClose(expected, y.ToArray<double>(), atol: 1e-12, rtol: 1e-11, what: "y");
        Numerics.AssertClose(expectedLast, hLast.ToArray<double>(), atol: 1e-12, rtol: 1e-11, what: "hLast");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BFloat16InputsAccumulateInFloat32(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var p = MakeProblem("zoh", eventMode: false, seed: 21);
        var x = p.Inputs.Select((v, i) => torch.tensor(v, Problem.Shapes[i], device).to(ScalarType.BFloat16)).ToArray();
        var (y, hLast) = Run(x, "zoh", Chunk);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Assert.Equal(ScalarType.Float32, hLast.dtype);

        // The reference runs on the bf16-rounded inputs; only float32 arithmetic and the final rounding differ.
        var rounded = x.Select(t => t.to(ScalarType.Float64).ToArray<double>()).ToArray();
        p.U = rounded[0]; p.Delta = rounded[1]; p.A = rounded[2]; p.B = rounded[3]; p.C = rounded[4];
        p.D = rounded[5]; p.Z = rounded[6]; p.Bias = rounded[7]; p.H0 = rounded[8];
        var (expected, expectedLast) = Reference(p);
        Numerics.AssertClose(expected, y.to(ScalarType.Float64).ToArray<double>(), atol: 1e-2, rtol: 8e-3, what: "bf16 y");
        Numerics.AssertClose(expectedLast, hLast.to(ScalarType.Float64).ToArray<double>(), atol: 1e-5, rtol: 1e-5, what: "float32 hLast");
    }

    [Fact]
    public void MisshapenArgumentsAreRejectedWithTheShapes()
    {
        using var scope = torch.NewDisposeScope();
        var u = torch.zeros(new long[] { 2, 3, 5 });
        var A = torch.zeros(new long[] { 3, 4 });
        var bc = torch.zeros(new long[] { 2, 4, 5 });
        var e = Assert.Throws<ArgumentException>(() => ops.selective_scan(u, u, A, torch.zeros(new long[] { 2, 5, 4 }), bc));
        Assert.Contains("[2, 4, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => ops.selective_scan(u, u, torch.zeros(new long[] { 4, 4 }), bc, bc));
        Assert.Contains("[4, 4]", e.Message);
        Assert.Throws<ArgumentException>(() => ops.selective_scan(u, u, A, bc, bc, discretization: "euler"));
    }
}
