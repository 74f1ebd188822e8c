using System.Numerics;
using Lrnn.Modules;
using Lrnn.Modules.Lti;
using Lrnn.Modules.Mixers;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model.Lti;

public sealed class CentaurusTests
{
    private const long H = 3, M = 2, B = 2, L = 9;

    public static TheoryData<string, CentaurusMode> DevicesAndModes()
    {
        var data = new TheoryData<string, CentaurusMode>();
        foreach (var device in new[] { "cpu", "cuda" })
        foreach (var mode in Enum.GetValues<CentaurusMode>())
            data.Add(new TheoryDataRow<string, CentaurusMode>(device, mode)
            {
                Skip = TestDevices.SkipReason(device),
            });
        return data;
    }

    /// <summary>The d_state each mode accepts for d_model = <paramref name="h"/> (dws: H, full: H², the others: any).</summary>
    private static long StateSize(CentaurusMode mode, long h) => mode switch
    {
        CentaurusMode.Dws => h,
        CentaurusMode.Full => h * h,
        _ => 4,
    };

    /// <summary>
    /// A Centaurus layer with generic parameters: Δ from e^{−3} to 1 and random Im A, so that Ā is far from 1 and
    /// the sub-states differ; dws's B and C random rather than ones, so that every term is exercised.
    /// </summary>
    internal static Centaurus Generic(CentaurusMode mode, long h = H, long m = M, ScalarType? dtype = null, Device? device = null)
    {
        var n = StateSize(mode, h);
        Centaurus layer = mode switch
        {
            CentaurusMode.Neck => new CentaurusNeck(h, n, m, dtype, device),
            CentaurusMode.Pointwise => new CentaurusPointwise(h, n, m, dtype, device),
            CentaurusMode.Dws => new CentaurusDws(h, n, m, dtype, device),
            _ => new CentaurusFull(h, n, m, dtype, device),
        };
        using var noGrad = torch.no_grad();
        layer.log_delta.uniform_(-3, 0);
        using var parts = torch.view_as_real(layer.A);                 // (N, M, 2) view of the complex parameter
        using var imag = parts.select(2, 1);
        imag.uniform_(-2, 2);
        if (mode == CentaurusMode.Dws)
            foreach (var p in layer.named_parameters().Where(p => p.Name is "B" or "C")) p.Parameter.normal_(0, 1);
        return layer;
    }

    private static Tensor Param(Centaurus layer, string name) => layer.named_parameters().Single(p => p.Name == name).Parameter;

    /// <summary>
    /// y (B, L, H) by the recurrence in float64 plain loops, with lrnnx's dense B̄ (P, H) and C (H, P) built as its
    /// scatter code does: s_{p,m} = Ā_{p,m} s_{p,m} + (B̄u)_p, y = C Σ_m E_{p,m} Re s_{p,m} (pointwise: P = N·M, one
    /// sub-state, no E).
    /// </summary>
    private static double[] Recurrence(Centaurus layer, double[] u, long batch, long length)
    {
        var (h, n, m) = (layer.DModel, layer.DState, layer.SubStateDim);
        var pointwise = layer.Mode == CentaurusMode.Pointwise;
        var lanes = pointwise ? n * m : n;
        var subStates = pointwise ? 1 : m;
        var aParts = Doubles(torch.view_as_real(layer.A));
        var delta = Doubles(layer.log_delta).Select(Math.Exp).ToArray();
        var e = layer.E is null ? null : Doubles(layer.E);
        var bw = Doubles(Param(layer, "B"));
        var cw = Doubles(Param(layer, "C"));

        var aBar = new Complex[lanes, subStates];
        var bBar = new double[lanes, h];
        var c = new double[h, lanes];
        for (var p = 0; p < lanes; p++)
        {
            var state = pointwise ? p / m : p;            // the δ (and row of A) of this lane
            for (var j = 0; j < subStates; j++)
            {
                var k = pointwise ? p : p * m + j;        // index into A (N, M) flattened
                aBar[p, j] = Complex.Exp(delta[state] * new Complex(aParts[2 * k], aParts[2 * k + 1]));
            }
            for (var i = 0; i < h; i++)
            {
                bBar[p, i] = delta[state] * layer.Mode switch
                {
                    CentaurusMode.Dws => p == i ? bw[p] : 0,
                    CentaurusMode.Full => i == p % h ? bw[p] : 0,
                    _ => bw[p * h + i],
                };
                c[i, p] = layer.Mode switch
                {
                    CentaurusMode.Dws => p == i ? cw[p] : 0,
                    CentaurusMode.Full => i == p / h ? cw[p] : 0,
                    _ => cw[i * lanes + p],
                };
            }
        }

        var y = new double[batch * length * h];
        for (var b = 0; b < batch; b++)
        {
            var s = new Complex[lanes, subStates];
            for (var t = 0; t < length; t++)
            {
                var offset = (b * length + t) * h;
                var z = new double[lanes];
                for (var p = 0; p < lanes; p++)
                {
                    var v = 0.0;
                    for (var i = 0; i < h; i++) v += bBar[p, i] * u[offset + i];
                    for (var j = 0; j < subStates; j++)
                    {
                        s[p, j] = aBar[p, j] * s[p, j] + v;
                        z[p] += (e is null ? 1 : e[p * m + j]) * s[p, j].Real;
                    }
                }
                for (var o = 0; o < h; o++)
                {
                    var acc = 0.0;
                    for (var p = 0; p < lanes; p++) acc += c[o, p] * z[p];
                    y[offset + o] = acc;
                }
            }
        }
        return y;
    }

    [Theory]
    [MemberData(nameof(DevicesAndModes))]
    public void ParallelForwardMatchesFloat64Recurrence(string device, CentaurusMode mode)
    {
        using var scope = torch.NewDisposeScope();
        using var layer = Generic(mode, device: device);
        var x = Normal(new Random(1), [B, L, H], ScalarType.Float32, device);
        var y = layer.Forward(x, MixerContext.None);
        Assert.Equal([B, L, H], y.shape);
        Numerics.AssertClose(Recurrence(layer, Doubles(x), B, L), Doubles(y), atol: 1e-4, rtol: 1e-4, what: $"Centaurus {mode} forward");
    }

    [Theory]
    [MemberData(nameof(DevicesAndModes))]
    public void PrefillsThenStepsMatchForward(string device, CentaurusMode mode)
    {
        using var scope = torch.NewDisposeScope();
        using var layer = Generic(mode, device: device);
        var x = Normal(new Random(2), [B, L, H], ScalarType.Float32, device);
        var full = Doubles(layer.Forward(x, MixerContext.None));

        // Two prefills (the second continues the state the first left), then steps.
        using var cache = layer.AllocateCache(B, L, ScalarType.Float32, device);
        var first = layer.Forward(x.narrow(1, 0, 3), new MixerContext { Cache = cache });
        var second = layer.Forward(x.narrow(1, 3, 3), new MixerContext { Cache = cache });
        var steps = Enumerable.Range(6, (int)L - 6).Select(t => layer.Step(x.narrow(1, t, 1), cache)).ToList();
        Numerics.AssertClose(full, Doubles(torch.cat([first, second, .. steps], 1)), atol: 1e-4, what: $"{mode}: prefills + steps vs forward");
        Assert.Equal(L, cache.Position);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(13)]
    [InlineData(31)]
    public void ShortAndOddLengthsMatchTheRecurrence(int length)
    {
        using var scope = torch.NewDisposeScope();
        using var layer = Generic(CentaurusMode.Neck);
        var x = Normal(new Random(length), [B, length, H], ScalarType.Float32, Device.CPU);
        Numerics.AssertClose(Recurrence(layer, Doubles(x), B, length), Doubles(layer.Forward(x, MixerContext.None)), atol: 1e-4, rtol: 1e-4);
    }

    [Fact]
    public void LongSequencesAfterShortOnesStayAccurateInFloat32()
    {
        // lrnnx's init: δ from 1e-3, so |Ā| = e^{−0.5δ} ≈ 0.9995 and Ā^l matters over thousands of steps.
        using var scope = torch.NewDisposeScope();
        using var layer = new CentaurusNeck(H, 4, 8);
        var shortX = Normal(new Random(8), [1, 5, H], ScalarType.Float32, Device.CPU);
        Numerics.AssertClose(Recurrence(layer, Doubles(shortX), 1, 5), Doubles(layer.Forward(shortX, MixerContext.None)), atol: 1e-4);
        const long length = 2048;
        var x = Normal(new Random(9), [1, length, H], ScalarType.Float32, Device.CPU);
        Numerics.AssertClose(Recurrence(layer, Doubles(x), 1, length), Doubles(layer.Forward(x, MixerContext.None)), atol: 2e-4, rtol: 1e-4,
            what: "Centaurus over 2048 tokens");
    }

    [Fact]
    public void PositionsAtOrBeyondLengthsAreMasked()
    {
        using var scope = torch.NewDisposeScope();
        using var layer = Generic(CentaurusMode.Full);
        var x = Normal(new Random(4), [B, L, H], ScalarType.Float32, Device.CPU);
        long[] lengths = [L, 2];
        var y = layer.Forward(x, new MixerContext { Lengths = torch.tensor(lengths, [B]) });
        var u = Doubles(x);
        for (var b = 0; b < B; b++)
        for (var t = lengths[b]; t < L; t++)
        for (var i = 0; i < H; i++)
            u[(b * L + t) * H + i] = 0;
        Numerics.AssertClose(Recurrence(layer, u, B, L), Doubles(y), atol: 1e-4, what: "masked forward");
    }

    [Theory]
    [InlineData(CentaurusMode.Neck)]
    [InlineData(CentaurusMode.Pointwise)]
    [InlineData(CentaurusMode.Dws)]
    [InlineData(CentaurusMode.Full)]
    public void GradientsMatchFiniteDifferences(CentaurusMode mode)
    {
        using var scope = torch.NewDisposeScope();
        using var layer = Generic(mode, h: 2, m: 2, dtype: ScalarType.Float64);
        Assert.Equal(ScalarType.ComplexFloat64, layer.A.dtype);
        var x = Normal(new Random(4), [1, 6, 2], ScalarType.Float64, Device.CPU).requires_grad_();
        var weights = Normal(new Random(5), [1, 6, 2], ScalarType.Float64, Device.CPU);
        Tensor Loss() => layer.Forward(x, MixerContext.None).mul(weights).sum();

        Loss().backward();
        foreach (var (name, tensor) in layer.named_parameters().Append(("x", x)))
        {
            // A is complex: compare the gradient of its real and imaginary parts (PyTorch's convention: ∂L/∂Re + i∂L/∂Im).
            var real = tensor.dtype.IsComplex() ? torch.view_as_real(tensor) : tensor;
            var analytic = tensor.dtype.IsComplex() ? Doubles(torch.view_as_real(tensor.grad!)) : Doubles(tensor.grad!);
            var numeric = GradCheck.Numeric(real, () => Loss().item<double>());
            Numerics.AssertClose(numeric, analytic, atol: 1e-6, rtol: 1e-5, what: $"{mode}: d loss / d {name}");
        }
    }

    [Fact]
    public void InitialisationFollowsLrnnx()
    {
        using var neck = new CentaurusNeck(16, 32, 4);
        var a = Doubles(torch.view_as_real(neck.A));
        for (var n = 0; n < 32; n++)
        for (var m = 0; m < 4; m++)
        {
            Assert.Equal(-0.5, a[(n * 4 + m) * 2], 6);
            Assert.Equal(m * Math.PI / 4, a[(n * 4 + m) * 2 + 1], 6);
        }
        Assert.Equal(ScalarType.ComplexFloat32, neck.A.dtype);
        var delta = Doubles(neck.log_delta).Select(Math.Exp).ToArray();
        Assert.Equal(1e-3, delta[0], 8);
        Assert.Equal(1e-1, delta[^1], 6);
        Assert.Equal(Math.Pow(10, -3 + 2.0 * 5 / 31), delta[5], 7);          // logspace(−3, −1, 32)
        // kaiming_uniform(a=√5): U(±1/√fan_in), the bound reached within 2%.
        var b = Doubles(Param(neck, "B"));
        Assert.InRange(b.Max(Math.Abs), 0.98 / 4, 1 / 4.0);
        Assert.InRange(Doubles(Param(neck, "C")).Max(Math.Abs), 0.95 / Math.Sqrt(32), 1 / Math.Sqrt(32));
        Assert.InRange(S5Tests.Std(Doubles(neck.E!)), 0.9 * Math.Sqrt(2), 1.1 * Math.Sqrt(2));

        using var pointwise = new CentaurusPointwise(16, 32, 4);
        Assert.Null(pointwise.E);
        Assert.All(Doubles(Param(pointwise, "B")), v => Assert.Equal(0.25, v, 6));
        Assert.InRange(S5Tests.Std(Doubles(Param(pointwise, "C"))), 0.95 * Math.Sqrt(2.0 / 128), 1.05 * Math.Sqrt(2.0 / 128));
        using var dws = new CentaurusDws(16, 16, 4);
        Assert.All(Doubles(Param(dws, "B")).Concat(Doubles(Param(dws, "C"))), v => Assert.Equal(1, v));
        using var full = new CentaurusFull(16, 256, 4);
        Assert.InRange(S5Tests.Std(Doubles(Param(full, "B"))), 0.9 * Math.Sqrt(2.0 / 16), 1.1 * Math.Sqrt(2.0 / 16));
    }

    [Fact]
    public void KeysAndShapesOfEveryModeMatchTheApprovedList()
    {
        var received = string.Concat(Enum.GetValues<CentaurusMode>().Select(mode =>
        {
            using var layer = Generic(mode, h: 4, m: 3);
            return $"{mode} (d_model 4, d_state {layer.DState}, sub_state_dim 3)\n" +
                   string.Concat(layer.named_parameters().Select(p => $"  {p.Name} [{string.Join(", ", p.Parameter.shape)}] {p.Parameter.dtype}\n"));
        }));
        Approvals.Verify("Centaurus.modes", received);
    }

    [Fact]
    public void ModeConstraintsAreCheckedWithClearErrors()
    {
        var dws = Assert.Throws<ArgumentException>(() => new CentaurusDws(4, 8, 2));
        Assert.Contains("d_state = d_model", dws.Message);
        var full = Assert.Throws<ArgumentException>(() => new CentaurusFull(4, 8, 2));
        Assert.Contains("d_state = d_model² = 16", full.Message);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void HalfPrecisionComputesInFloat32(ScalarType half)
    {
        using var scope = torch.NewDisposeScope();
        using var layer = Generic(CentaurusMode.Neck);
        var x = Normal(new Random(6), [B, L, H], ScalarType.Float32, Device.CPU);
        var reference = Doubles(layer.Forward(x, MixerContext.None));
        layer.to(half);
        Assert.Equal(ScalarType.ComplexFloat32, layer.A.dtype);          // complex parameters keep their dtype, as in PyTorch
        var xHalf = x.to(half);
        var y = layer.Forward(xHalf, MixerContext.None);
        Assert.Equal(half, y.dtype);
        Numerics.AssertClose(reference, Doubles(y), atol: 0.05, rtol: 0.02, what: $"{half} vs float32");

        using var cache = layer.AllocateCache(B, L, half, Device.CPU);
        var prefill = layer.Forward(xHalf.narrow(1, 0, L - 1), new MixerContext { Cache = cache });
        var step = layer.Step(xHalf.narrow(1, L - 1, 1), cache);
        Numerics.AssertClose(Doubles(y), Doubles(torch.cat([prefill, step], 1)), atol: 0.02, rtol: 0.01, what: $"{half} prefill + step");
    }
}
