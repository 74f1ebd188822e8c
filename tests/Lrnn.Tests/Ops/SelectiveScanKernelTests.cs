using static Lrnn.Tests.Support.GradCheck;
using Lrnn.Ops;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Ops;

/// <summary>
/// The fused CUDA selective scan (src/cuda/selective_scan.cu) against the float64 selective scan, which declines the
/// kernel and runs the ATen version that SelectiveScanTests holds to the recurrence and to finite differences:
/// outputs, final state and the gradient of every input, in float32 (within float32 rounding) and bfloat16, over
/// sizes that cross the kernel's chunk (64 steps), its sub-chunk (8 steps, 150 = 2·64 + 2·8 + 6) and its channel
/// tiles (32, 64 or 128 channels for N ≤ 16, ≤ 8, ≤ 4), in Mamba's time-major layout and in mamba_ssm's (B, D, L)
/// one. scripts/gpu-remote.sh re-runs this class under LRNN_CUDA_KERNELS=0, where the same bounds hold the ATen
/// float32 path.
/// </summary>
public class SelectiveScanKernelTests
{
    private const int Batch = 3, Length = 150;
    private static readonly string[] Names = { "u", "delta", "A", "B", "C", "D", "z", "deltaBias", "h0", "deltaA" };
    private static bool KernelsOff => Environment.GetEnvironmentVariable("LRNN_CUDA_KERNELS") == "0";

    /// <summary>Inputs in selective_scan's order, row-major float64, and the weights of the loss.</summary>
    private sealed record Problem(double[][] Values, long[][] Shapes, bool EventMode, double[] G, double[] GLast)
    {
        /// <summary>(B, X, L) series (u, delta, B, C, z, deltaA), as opposed to parameters and h0.</summary>
        public static bool IsSeries(int i) => i is 0 or 1 or 3 or 4 or 6 or 9;
    }

    private static Problem Make(int width, int state, bool eventMode, int seed)
    {
        long bdl = Batch * width * Length, bnl = Batch * state * Length;
        var values = new List<double[]>
        {
            Uniform(bdl, seed, -1, 1), Uniform(bdl, seed + 1, -2, 1), Uniform(width * state, seed + 2, -2, -0.2),
            Uniform(bnl, seed + 3, -1, 1), Uniform(bnl, seed + 4, -1, 1), Uniform(width, seed + 5, -1, 1),
            Uniform(bdl, seed + 6, -2, 2), Uniform(width, seed + 7, -0.5, 0.5), Uniform(Batch * width * state, seed + 8, -1, 1),
        };
        var shapes = new List<long[]>
        {
            new long[] { Batch, width, Length }, new long[] { Batch, width, Length }, new long[] { width, state },
            new long[] { Batch, state, Length }, new long[] { Batch, state, Length }, new long[] { width },
            new long[] { Batch, width, Length }, new long[] { width }, new long[] { Batch, width, state },
        };
        if (eventMode)
        {
            values.Add(Uniform(bdl, seed + 9, 0.05, 2));
            shapes.Add(new long[] { Batch, width, Length });
        }
        return new Problem(values.ToArray(), shapes.ToArray(), eventMode, Uniform(bdl, seed + 10, -1, 1),
            Uniform(Batch * width * state, seed + 11, -1, 1));
    }

    /// <summary>Runs the scan on CUDA in <paramref name="dtype"/>; the leaves hold the gradients ((B, L, X) for
    /// time-major series). Without <paramref name="optionals"/>: no D, z, bias, h0 or softplus.</summary>
    private static (Tensor y, Tensor hLast, Tensor[] leaves) Run(Problem p, string discretization, ScalarType dtype,
        bool timeMajor, bool optionals = true)
    {
        var leaves = new Tensor[p.Values.Length];
        var args = new Tensor[p.Values.Length];
        for (var i = 0; i < p.Values.Length; i++)
        {
            var t = torch.tensor(p.Values[i], p.Shapes[i], "cuda").to(dtype);
            var transposed = timeMajor && Problem.IsSeries(i);
            leaves[i] = (transposed ? t.transpose(1, 2).contiguous() : t).requires_grad_();
            args[i] = transposed ? leaves[i].transpose(1, 2) : leaves[i];
        }
        var delta = optionals ? args[1] : args[1].abs();
        var (y, hLast) = optionals
            ? ops.selective_scan(args[0], delta, args[2], args[3], args[4], args[5], args[6], args[7], deltaSoftplus: true,
                h0: args[8], discretization: discretization, deltaA: p.EventMode ? args[9] : null)
            : ops.selective_scan(args[0], delta, args[2], args[3], args[4], discretization: discretization,
                deltaA: p.EventMode ? args[9] : null);
        return (y, hLast, leaves);
    }

    private static void Backward(Problem p, Tensor y, Tensor hLast, bool useY = true, bool useLast = true)
    {
        var loss = torch.zeros(System.Array.Empty<long>(), ScalarType.Float64, "cuda");
        if (useY) loss = loss + (y.to(ScalarType.Float64) * torch.tensor(p.G, y.shape, "cuda")).sum();
        if (useLast) loss = loss + (hLast.to(ScalarType.Float64) * torch.tensor(p.GLast, hLast.shape, "cuda")).sum();
        loss.backward();
    }

    /// <summary>A leaf's gradient in the problem's (B, X, L) layout, float64.</summary>
    private static Tensor Gradient(Tensor[] leaves, int i, bool timeMajor)
    {
        var g = leaves[i].grad ?? throw new InvalidOperationException($"no gradient reached {Names[i]}");
        return (timeMajor && Problem.IsSeries(i) ? g.transpose(1, 2) : g).to(ScalarType.Float64);
    }

    /// <summary>Within <paramref name="rel"/> of the expected tensor's largest magnitude, element by element; exactly
    /// zero where the reference is (dirac in event mode: Δ reaches neither Ā nor B̄, so its gradient is 0).</summary>
    private static void AssertNear(Tensor expected, Tensor actual, double rel, string what)
    {
        var e = expected.detach().to(ScalarType.Float64).contiguous().ToArray<double>();
        var a = actual.detach().to(ScalarType.Float64).contiguous().ToArray<double>();
        Assert.NotEmpty(e);
        var scale = e.Max(Math.Abs);
        Numerics.AssertClose(e, a, atol: rel * scale, rtol: rel, what: what);
    }

    private static void AssertGradientsNear(Problem p, Tensor[] expected, Tensor[] actual, bool timeMajor, double rel, bool optionals = true)
    {
        for (var i = 0; i < p.Values.Length; i++)
        {
            if (!optionals && i is 5 or 6 or 7 or 8) continue;
            AssertNear(Gradient(expected, i, false), Gradient(actual, i, timeMajor), rel, $"dL/d{Names[i]}");
        }
    }

    public static TheoryData<string, bool, int, int, bool> Float32Cases()
    {
        var data = new TheoryData<string, bool, int, int, bool>();
        void Add(string disc, bool eventMode, int state, int width, bool timeMajor) =>
            data.Add(new TheoryDataRow<string, bool, int, int, bool>(disc, eventMode, state, width, timeMajor) { Skip = TestDevices.SkipReason("cuda") });
        foreach (var disc in new[] { "mamba", "zoh", "bilinear", "dirac" })
            foreach (var eventMode in new[] { false, true })
                Add(disc, eventMode, 16, 40, true);   // Mamba's N and layout; 40 channels: a full tile and a partial one
        Add("mamba", false, 5, 70, false);            // two threads per channel, a padded state, mamba_ssm's layout
        Add("mamba", false, 3, 40, true);             // one thread per channel, one partly used tile
        Add("zoh", true, 8, 33, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Float32Cases))]
    public void Float32OutputsAndGradientsMatchTheFloat64Scan(string discretization, bool eventMode, int state, int width, bool timeMajor)
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(width, state, eventMode, seed: 300 + state + width + discretization.Length + (eventMode ? 1 : 0));
        var (y64, h64, leaves64) = Run(p, discretization, ScalarType.Float64, timeMajor: false);
        var (y32, h32, leaves32) = Run(p, discretization, ScalarType.Float32, timeMajor);
        Assert.Equal(ScalarType.Float32, y32.dtype);
        Assert.Equal(ScalarType.Float32, h32.dtype);
        AssertNear(y64, y32, 1e-5, "y");
        AssertNear(h64, h32, 1e-5, "hLast");

        Backward(p, y64, h64);
        Backward(p, y32, h32);
        AssertGradientsNear(p, leaves64, leaves32, timeMajor, 5e-5);
    }

    [CudaFact]
    public void WithoutTheOptionalArgumentsTheKernelMatchesTheFloat64Scan()
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(40, 16, eventMode: false, seed: 41);
        var (y64, h64, leaves64) = Run(p, "mamba", ScalarType.Float64, timeMajor: false, optionals: false);
        var (y32, h32, leaves32) = Run(p, "mamba", ScalarType.Float32, timeMajor: true, optionals: false);
        AssertNear(y64, y32, 1e-5, "y");
        AssertNear(h64, h32, 1e-5, "hLast");
        Backward(p, y64, h64);
        Backward(p, y32, h32);
        AssertGradientsNear(p, leaves64, leaves32, timeMajor: true, 5e-5, optionals: false);
    }

    [CudaFact]
    public void GradientsFlowFromEitherOutputAlone()
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(40, 16, eventMode: false, seed: 43);
        foreach (var (useY, useLast) in new[] { (true, false), (false, true) })
        {
            var (y64, h64, leaves64) = Run(p, "mamba", ScalarType.Float64, timeMajor: false);
            var (y32, h32, leaves32) = Run(p, "mamba", ScalarType.Float32, timeMajor: true);
            Backward(p, y64, h64, useY, useLast);
            Backward(p, y32, h32, useY, useLast);
            for (var i = 0; i < p.Values.Length; i++)
            {
                if (!useY && i is 4 or 5 or 6) continue;   // C, D and z reach only y
                AssertNear(Gradient(leaves64, i, false), Gradient(leaves32, i, true), 5e-5, $"dL/d{Names[i]} (y: {useY}, hLast: {useLast})");
            }
        }
    }

    /// <summary>A decode cache passes its state as h0 and overwrites it with hLast right after the forward (Mamba's
    /// prefill): the backward must neither read h0 nor trip over its changed version.</summary>
    [CudaFact]
    public void TheBackwardSurvivesTheInitialStateBeingOverwrittenInPlace()
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(40, 16, eventMode: false, seed: 59);
        var (y64, h64, leaves64) = Run(p, "mamba", ScalarType.Float64, timeMajor: false);
        Backward(p, y64, h64);

        var x = p.Values.Select((v, i) => torch.tensor(v, p.Shapes[i], "cuda").to(ScalarType.Float32)).ToArray();
        var u = x[0].requires_grad_();
        var state = x[8];                                                        // a cache's state: no gradient
        var (y, hLast) = ops.selective_scan(u, x[1], x[2], x[3], x[4], x[5], x[6], x[7], deltaSoftplus: true, h0: state);
        using (torch.no_grad()) state.copy_(hLast);
        Backward(p, y, hLast);
        AssertNear(leaves64[0].grad!, u.grad!, 5e-5, "dL/du after the state was overwritten");
    }

    [CudaFact]
    public void BFloat16InputsMatchTheFloat64ScanOfTheRoundedInputs()
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(40, 16, eventMode: false, seed: 47);
        // The reference runs on the bf16-rounded inputs: only float32 arithmetic and the roundings of the results differ.
        var rounded = p with
        {
            Values = p.Values.Select((v, i) => torch.tensor(v, p.Shapes[i]).to(ScalarType.BFloat16).to(ScalarType.Float64).ToArray<double>()).ToArray(),
        };
        var (y64, h64, leaves64) = Run(rounded, "mamba", ScalarType.Float64, timeMajor: false);
        var (y16, h16, leaves16) = Run(rounded, "mamba", ScalarType.BFloat16, timeMajor: true);
        Assert.Equal(ScalarType.BFloat16, y16.dtype);
        Assert.Equal(ScalarType.Float32, h16.dtype);
        AssertNear(y64, y16, 8e-3, "bf16 y");
        AssertNear(h64, h16, 1e-5, "float32 hLast");
        Backward(rounded, y64, h64);
        Backward(rounded, y16, h16);
        // Each gradient is rounded to bf16 once; dL/dy is the bf16 rounding of the float64 weights.
        AssertGradientsNear(rounded, leaves64, leaves16, timeMajor: true, 2e-2);
    }

    [CudaFact]
    public void InferenceRunsTheSameForwardAndTheKernelWritesTimeMajorOutputs()
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(40, 16, eventMode: true, seed: 53);
        var (y, hLast, _) = Run(p, "zoh", ScalarType.Float32, timeMajor: true);
        Tensor yInference, hInference;
        using (torch.no_grad())
            (yInference, hInference, _) = Run(p, "zoh", ScalarType.Float32, timeMajor: true);
        Assert.False(yInference.requires_grad);
        Numerics.AssertClose(y.detach().contiguous().ToArray<float>(), yInference.contiguous().ToArray<float>(), atol: 0, what: "y without a graph");
        Numerics.AssertClose(hLast.detach().contiguous().ToArray<float>(), hInference.contiguous().ToArray<float>(), atol: 0, what: "hLast without a graph");
        // The kernel writes y (B, D, L) as (B, L, D) in memory, the layout Mamba's out_proj reads next (the ATen
        // version's y follows u's layout instead): this is what shows the kernel ran.
        if (!KernelsOff) Assert.Equal(new long[] { Length * 40, 1, 40 }, y.stride());
    }
}
