using static Lrnn.Tests.Support.GradCheck;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Lrnn.Ops;
using Lrnn.Ops.Native;
using Xunit;

namespace Lrnn.Tests.Ops;

/// <summary>
/// The shim's CPU scan kernels (cpu_kernels.h) against the ATen versions they replace (switched off with
/// <see cref="CpuKernels.Enabled"/>): outputs, final states and every input gradient, in float32 and float64, for
/// the layouts and options the ops take. The float64 recurrence tests (LinearScanTests, SelectiveScanTests) run the
/// kernels too, since they are on by default on the CPU.
/// </summary>
[Collection(CpuKernelSwitch.Name)]
public class CpuScanKernelTests
{
    /// <summary>Runs <paramref name="body"/> with the kernels on and off; returns both results.</summary>
    private static (T Kernel, T Aten) Both<T>(Func<T> body)
    {
        var before = CpuKernels.Enabled;
        try
        {
            CpuKernels.Enabled = true;
            var kernel = body();
            CpuKernels.Enabled = false;
            var aten = body();
            return (kernel, aten);
        }
        finally
        {
            CpuKernels.Enabled = before;
        }
    }

    private static (double atol, double rtol) Tolerance(ScalarType dtype) =>
        dtype == ScalarType.Float64 ? (1e-12, 1e-10) : (2e-5, 2e-4);

    public static TheoryData<string, bool, bool, string> SelectiveCases()
    {
        var data = new TheoryData<string, bool, bool, string>();
        foreach (var disc in new[] { "mamba", "zoh", "bilinear", "dirac" })
            foreach (var eventMode in new[] { false, true })
                foreach (var withH0 in new[] { false, true })
                    foreach (var dtype in new[] { "float32", "float64" })
                        data.Add(disc, eventMode, withH0, dtype);
        return data;
    }

    /// <summary>37 steps in chunks of 8 (a ragged last chunk), N = 6 (not a multiple of any vector width).</summary>
    [Theory]
    [MemberData(nameof(SelectiveCases))]
    public void SelectiveScanMatchesTheAtenVersion(string discretization, bool eventMode, bool withH0, string dtypeName)
    {
        const int batch = 2, width = 5, state = 6, length = 37;
        var dtype = dtypeName == "float32" ? ScalarType.Float32 : ScalarType.Float64;
        var seed = discretization.Length * 10 + (eventMode ? 1 : 0);
        double[] Values(long n, int s, double lo, double hi) => Uniform(n, seed + s, lo, hi);
        var shapes = new[]
        {
            new long[] { batch, width, length }, new long[] { batch, width, length }, new long[] { width, state },
            new long[] { batch, state, length }, new long[] { batch, state, length }, new long[] { batch, width, state },
            new long[] { batch, width, length },
        };
        var data = new[]
        {
            Values(batch * width * length, 0, -1, 1), Values(batch * width * length, 1, -2, 1), Values(width * state, 2, -2, -0.2),
            Values(batch * state * length, 3, -1, 1), Values(batch * state * length, 4, -1, 1), Values(batch * width * state, 5, -1, 1),
            Values(batch * width * length, 6, 0.05, 2),
        };
        var weightY = Values(batch * width * length, 7, -1, 1);
        var weightLast = Values(batch * width * state, 8, -1, 1);

        var (kernel, aten) = Both(() =>
        {
            using var scope = torch.NewDisposeScope();
            var x = data.Select((v, i) => torch.tensor(v, shapes[i]).to(dtype).requires_grad_(true)).ToArray();
            var (y, last) = ops.selective_scan(x[0], x[1], x[2], x[3], x[4], null, null, null, deltaSoftplus: true, h0: withH0 ? x[5] : null,
                discretization: discretization, deltaA: eventMode ? x[6] : null, chunk: 8);
            ((y * torch.tensor(weightY, shapes[0]).to(dtype)).sum() + (last * torch.tensor(weightLast, shapes[5]).to(dtype)).sum()).backward();
            var used = new[] { 0, 1, 2, 3, 4 }.Concat(withH0 ? [5] : []).Concat(eventMode ? [6] : []);
            return new[] { y, last }.Concat(used.Select(i => x[i].grad!))
                .Select(t => t.to(ScalarType.Float64).ToArray<double>()).ToArray();
        });
        var (atol, rtol) = Tolerance(dtype);
        var names = new[] { "y", "hLast", "du", "ddelta", "dA", "dB", "dC" }.Concat(withH0 ? ["dh0"] : []).Concat(eventMode ? ["ddeltaA"] : []).ToArray();
        Assert.Equal(names.Length, kernel.Length);
        for (var i = 0; i < kernel.Length; i++)
            Numerics.AssertClose(aten[i], kernel[i], atol * Scale(aten[i]), rtol, what: $"{discretization} {dtypeName} {names[i]}");
    }

    // Gradients that sum over batch and channels (dA, dB, dC) are large; the absolute tolerance follows their size.
    private static double Scale(double[] values) => Math.Max(1, values.Max(Math.Abs));

    [Fact]
    public void SelectiveScanWithoutAnOutputGradientStillCarriesTheFinalStateGradient()
    {
        const int batch = 1, width = 3, state = 4, length = 10;
        var (kernel, aten) = Both(() =>
        {
            using var scope = torch.NewDisposeScope();
            var u = torch.tensor(Uniform(batch * width * length, 1, -1, 1), [batch, width, length]).requires_grad_(true);
            var delta = torch.tensor(Uniform(batch * width * length, 2, 0.1, 1), [batch, width, length]).requires_grad_(true);
            var A = torch.tensor(Uniform(width * state, 3, -2, -0.5), [width, state]).requires_grad_(true);
            var B = torch.tensor(Uniform(batch * state * length, 4, -1, 1), [batch, state, length]).requires_grad_(true);
            var C = torch.tensor(Uniform(batch * state * length, 5, -1, 1), [batch, state, length]).requires_grad_(true);
            var (_, last) = ops.selective_scan(u, delta, A, B, C);
            last.sum().backward();
            return new[] { u.grad!, delta.grad!, A.grad!, B.grad!, C.grad! }.Select(t => t.ToArray<double>()).ToArray();
        });
        for (var i = 0; i < kernel.Length; i++) Numerics.AssertClose(aten[i], kernel[i], 1e-12, 1e-10, what: $"gradient {i}");
        Assert.All(kernel[4], v => Assert.Equal(0.0, v));  // C does not reach hLast
    }

    public static TheoryData<string, string, bool> LinearCases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var dtype in new[] { "float32", "float64", "complex64", "complex128" })
            foreach (var layout in new[] { "middle", "last", "broadcast" })
                data.Add(dtype, layout, layout != "last");
        return data;
    }

    /// <summary>
    /// Time in the middle of (B, L, H) (lanes along H, the vectorised case), time last in (B, H, L) (lanes along the
    /// rows), and a (1, L, H) decay broadcast over the batch (stride 0); the backward runs the reverse scan through a
    /// conjugate view of a.
    /// </summary>
    [Theory]
    [MemberData(nameof(LinearCases))]
    public void LinearScanMatchesTheAtenVersion(string dtypeName, string layout, bool withH0)
    {
        const int batch = 3, length = 41, width = 70;  // width: one full block of 64 lanes and a partial one
        var dtype = dtypeName switch
        {
            "float32" => ScalarType.Float32, "float64" => ScalarType.Float64,
            "complex64" => ScalarType.ComplexFloat32, _ => ScalarType.ComplexFloat64,
        };
        var complex = dtype is ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64;
        long[] shape = layout == "last" ? [batch, width, length] : [batch, length, width];
        long[] aShape = layout == "broadcast" ? [1, length, width] : shape;
        var dim = layout == "last" ? 2 : 1;
        long[] stateShape = [batch, width];
        var count = batch * length * width;

        Tensor Make(long[] s, int seed, double lo, double hi)
        {
            var n = s.Aggregate(1L, (p, d) => p * d);
            var real = torch.tensor(Uniform(n, seed, lo, hi), s);
            if (!complex) return real.to(dtype);
            return torch.complex(real, torch.tensor(Uniform(n, seed + 100, lo / 4, hi / 4), s)).to(dtype);
        }

        var (kernel, aten) = Both(() =>
        {
            using var scope = torch.NewDisposeScope();
            var a = Make(aShape, 1, 0.5, 0.99).requires_grad_(true);
            var b = Make(shape, 2, -1, 1).requires_grad_(true);
            var h0 = withH0 ? Make(stateShape, 3, -1, 1).requires_grad_(true) : null;
            var (h, last) = ops.linear_scan(a, b, h0, dim);
            var weights = Make(shape, 4, -1, 1);
            var loss = (h * weights).sum() + (last * Make(stateShape, 5, -1, 1)).sum();
            (complex ? loss.real : loss).backward();
            var results = new[] { h, last, a.grad!, b.grad! }.Concat(h0 is null ? [] : [h0.grad!]);
            return results.Select(t => (complex ? torch.view_as_real(t) : t).to(ScalarType.Float64).ToArray<double>()).ToArray();
        });
        var (atol, rtol) = Tolerance(dtype is ScalarType.Float64 or ScalarType.ComplexFloat64 ? ScalarType.Float64 : ScalarType.Float32);
        Assert.Equal(count * (complex ? 2 : 1), kernel[0].Length);
        for (var i = 0; i < kernel.Length; i++)
            Numerics.AssertClose(aten[i], kernel[i], atol * Scale(aten[i]), rtol, what: $"{dtypeName} {layout} result {i}");
    }

    [Fact]
    public void TheSwitchIsTheOneTheShimReads()
    {
        // Guards the comparison above against comparing a path with itself: the switch is read by the shim.
        var before = CpuKernels.Enabled;
        try
        {
            CpuKernels.Enabled = false;
            Assert.False(ops.CpuKernels);
            CpuKernels.Enabled = true;
            Assert.True(ops.CpuKernels);
        }
        finally
        {
            CpuKernels.Enabled = before;
        }
    }
}

/// <summary>Tests that flip the process-wide CPU kernel switch run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuKernelSwitch
{
    public const string Name = "CPU kernel switch";
}
