using System.Numerics;
using Lrnn.Modules;
using Lrnn.Modules.Lti;
using Lrnn.Modules.Mixers;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model.Lti;

public sealed class S5Tests
{
    private const long H = 5, N = 4, B = 2, L = 9;

    public static TheoryData<string, DiscretizationMethod> DevicesAndMethods()
    {
        var data = new TheoryData<string, DiscretizationMethod>();
        foreach (var device in new[] { "cpu", "cuda" })
        foreach (var method in Enum.GetValues<DiscretizationMethod>())
            data.Add(new TheoryDataRow<string, DiscretizationMethod>(device, method)
            {
                Skip = TestDevices.SkipReason(device),
            });
        return data;
    }

    /// <summary>
    /// An S5 whose A has generic eigenvalues (Re A ≈ −0.2…−1.3, |Im A| &lt; 0.9) rather than lrnnx's −0.5 + iπn, so
    /// that every discretisation, no_discretization included (Ā = A), is stable and all terms of the maths matter.
    /// </summary>
    internal static S5 Generic(DiscretizationMethod method, long h = H, long n = N, ScalarType? dtype = null, Device? device = null)
    {
        var s5 = new S5(h, n, method, dtype, device);
        using var noGrad = torch.no_grad();
        using var softplusInverse = s5.A.select(1, 0);
        using var imag = s5.A.select(1, 1);
        softplusInverse.uniform_(-1.5, 1.0);
        imag.uniform_(-0.9, 0.9);
        return s5;
    }

    /// <summary>(Ā, γ) of one eigenvalue by lrnnx's formulas (bilinear: the correct Tustin map), in float64.</summary>
    private static (Complex ABar, Complex Gamma) Discretize(DiscretizationMethod method, Complex a, double dt) => method switch
    {
        DiscretizationMethod.Zoh => (Complex.Exp(dt * a), (Complex.Exp(dt * a) - 1) / a),
        DiscretizationMethod.Bilinear => ((1 + dt * a / 2) / (1 - dt * a / 2), dt / (1 - dt * a / 2)),
        DiscretizationMethod.Dirac => (Complex.Exp(dt * a), 1),
        _ => (a, 1),
    };

    /// <summary>y (B, L, H) by h_t = Āh_{t−1} + γBu_t, y_t = Re(Ch_t) + u_t D, in float64 plain loops.</summary>
    internal static double[] Recurrence(S5 s5, double[] u, long batch, long length)
    {
        var h = s5.D.size(0);
        var n = s5.B.size(0);
        var a = Doubles(s5.A); var bw = Doubles(s5.B); var logDt = Doubles(s5.log_dt); var c = Doubles(s5.C); var d = Doubles(s5.D);
        var aBar = new Complex[n];
        var gamma = new Complex[n];
        for (var k = 0; k < n; k++)
        {
            var softplus = Math.Log(1 + Math.Exp(a[2 * k]));
            (aBar[k], gamma[k]) = Discretize(s5.Method, new Complex(-softplus, a[2 * k + 1]), Math.Exp(logDt[k]));
        }
        var y = new double[batch * length * h];
        for (var b = 0; b < batch; b++)
        {
            var state = new Complex[n];
            for (var t = 0; t < length; t++)
            {
                var offset = (b * length + t) * h;
                for (var k = 0; k < n; k++)
                {
                    var bu = Complex.Zero;
                    for (var i = 0; i < h; i++) bu += gamma[k] * bw[k * h + i] * u[offset + i];
                    state[k] = aBar[k] * state[k] + bu;
                }
                for (var o = 0; o < h; o++)
                {
                    var acc = 0.0;
                    for (var i = 0; i < h; i++) acc += u[offset + i] * d[i * h + o];
                    for (var k = 0; k < n; k++) acc += (new Complex(c[(o * n + k) * 2], c[(o * n + k) * 2 + 1]) * state[k]).Real;
                    y[offset + o] = acc;
                }
            }
        }
        return y;
    }

    [Theory]
    [MemberData(nameof(DevicesAndMethods))]
    public void ParallelForwardMatchesFloat64Recurrence(string device, DiscretizationMethod method)
    {
        using var scope = torch.NewDisposeScope();
        using var s5 = Generic(method, device: device);
        var x = Normal(new Random(1), [B, L, H], ScalarType.Float32, device);
        var y = s5.Forward(x, MixerContext.None);
        Assert.Equal([B, L, H], y.shape);
        Numerics.AssertClose(Recurrence(s5, Doubles(x), B, L), Doubles(y), atol: 1e-4, rtol: 1e-4, what: $"S5 {method} forward");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(13)]
    [InlineData(31)]
    public void ShortAndOddLengthsMatchTheRecurrence(int length)
    {
        using var scope = torch.NewDisposeScope();
        using var s5 = Generic(DiscretizationMethod.Zoh);
        var x = Normal(new Random(length), [B, length, H], ScalarType.Float32, Device.CPU);
        Numerics.AssertClose(Recurrence(s5, Doubles(x), B, length), Doubles(s5.Forward(x, MixerContext.None)), atol: 1e-4, rtol: 1e-4);
    }

    [Fact]
    public void LongSequencesAfterShortOnesStayAccurateInFloat32()
    {
        // lrnnx's init: Δ down to 1e-3, so |Ā| = e^{−0.5Δ} ≈ 0.9995 decays slowly and Ā^l matters over thousands of steps.
        // A short call first: nothing computed for it may be reused for the longer sequence.
        using var scope = torch.NewDisposeScope();
        using var s5 = new S5(H, N, DiscretizationMethod.Zoh);
        var shortX = Normal(new Random(8), [1, 7, H], ScalarType.Float32, Device.CPU);
        Numerics.AssertClose(Recurrence(s5, Doubles(shortX), 1, 7), Doubles(s5.Forward(shortX, MixerContext.None)), atol: 1e-4);
        const long length = 2048;
        var x = Normal(new Random(9), [1, length, H], ScalarType.Float32, Device.CPU);
        var y = s5.Forward(x, MixerContext.None);
        Numerics.AssertClose(Recurrence(s5, Doubles(x), 1, length), Doubles(y), atol: 2e-4, rtol: 1e-4, what: "S5 over 2048 tokens");
    }

    [Fact]
    public void BilinearIsTheStableTustinMapNotLrnnxInvertedOne()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.complex(torch.tensor(new[] { -0.5, -2.0 }), torch.tensor(new[] { 3.0, 0.0 }));
        var dt = torch.tensor(new[] { 0.1, 0.5 });
        var discrete = Discretization.Apply(DiscretizationMethod.Bilinear, a, dt);
        var aBar = discrete.ABar.abs().ToArray<double>();
        Assert.All(aBar, m => Assert.InRange(m, 0, 1));     // lrnnx's (1 + ½ΔA)⁻¹(1 − ½ΔA) has modulus > 1 here
        var expected = (1 + 0.05 * new Complex(-0.5, 3)) / (1 - 0.05 * new Complex(-0.5, 3));
        Assert.Equal(expected.Real, discrete.ABar.real.ToArray<double>()[0], 12);
        Assert.Equal(expected.Imaginary, discrete.ABar.imag.ToArray<double>()[0], 12);
        // log Ā is a logarithm of Ā: exp(l·log Ā) = Ā^l.
        Numerics.AssertClose(discrete.ABar.pow(7.0).abs().ToArray<double>(), discrete.LogABar.mul(7.0).exp().abs().ToArray<double>(), 1e-12);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void PrefillThenStepsMatchForward(string device)
    {
        using var scope = torch.NewDisposeScope();
        using var s5 = Generic(DiscretizationMethod.Bilinear, device: device);
        var x = Normal(new Random(2), [B, L, H], ScalarType.Float32, device);
        var full = Doubles(s5.Forward(x, MixerContext.None));

        using var cache = s5.AllocateCache(B, L, ScalarType.Float32, device);
        const long prompt = 5;
        var prefill = s5.Forward(x.narrow(1, 0, prompt), new MixerContext { Cache = cache });
        var steps = Enumerable.Range((int)prompt, (int)(L - prompt)).Select(t => s5.Step(x.narrow(1, t, 1), cache)).ToList();
        Numerics.AssertClose(full, Doubles(torch.cat([prefill, .. steps], 1)), atol: 1e-4, what: "prefill + steps vs forward");
        Assert.Equal(L, cache.Position);
        Assert.Throws<InvalidOperationException>(() => s5.Step(x.select(1, 0), cache));
    }

    [Fact]
    public void PrefillContinuesACacheThatAlreadyHoldsTokens()
    {
        using var scope = torch.NewDisposeScope();
        using var s5 = Generic(DiscretizationMethod.Dirac);
        var x = Normal(new Random(3), [B, L, H], ScalarType.Float32, Device.CPU);
        var full = Doubles(s5.Forward(x, MixerContext.None));
        using var cache = s5.AllocateCache(B, L, ScalarType.Float32, Device.CPU);
        var first = s5.Forward(x.narrow(1, 0, 3), new MixerContext { Cache = cache });
        var second = s5.Forward(x.narrow(1, 3, L - 3), new MixerContext { Cache = cache });
        Numerics.AssertClose(full, Doubles(torch.cat([first, second], 1)), atol: 1e-4);
    }

    [Fact]
    public void PositionsAtOrBeyondLengthsAreMasked()
    {
        using var scope = torch.NewDisposeScope();
        using var s5 = Generic(DiscretizationMethod.Zoh);
        var x = Normal(new Random(4), [B, L, H], ScalarType.Float32, Device.CPU);
        long[] lengths = [4, L];
        var y = s5.Forward(x, new MixerContext { Lengths = torch.tensor(lengths, [B]) });
        // The reference feeds zeros from lengths[b] on (lrnnx's S4 mask: x·1[t < lengths[b]]).
        var u = Doubles(x);
        for (var b = 0; b < B; b++)
        for (var t = lengths[b]; t < L; t++)
        for (var i = 0; i < H; i++)
            u[(b * L + t) * H + i] = 0;
        Numerics.AssertClose(Recurrence(s5, u, B, L), Doubles(y), atol: 1e-4, what: "masked forward");
        Assert.NotEqual(Doubles(s5.Forward(x, MixerContext.None)), Doubles(y));
    }

    [Fact]
    public void InitialisationFollowsLrnnx()
    {
        using var s5 = new S5(64, 128, DiscretizationMethod.Zoh);
        var a = Doubles(s5.A);
        for (var n = 0; n < 128; n++)
        {
            Assert.Equal(-0.5, -Math.Log(1 + Math.Exp(a[2 * n])), 6);     // Re A = −softplus(A[:, 0])
            Assert.Equal(Math.PI * n, a[2 * n + 1], 3);
        }
        var logDt = Doubles(s5.log_dt);
        Assert.Equal(Math.Log(1e-3), logDt[0], 5);
        Assert.Equal(Math.Log(0.1), logDt[^1], 5);
        Assert.All(Doubles(s5.B), v => Assert.Equal(1 / 8.0, v, 6));
        Assert.InRange(Std(Doubles(s5.C)), 0.95 * Math.Sqrt(2.0 / 128), 1.05 * Math.Sqrt(2.0 / 128));   // 16k draws
        Assert.InRange(Std(Doubles(s5.D)), 0.95 * Math.Sqrt(2.0 / 64), 1.05 * Math.Sqrt(2.0 / 64));     // 4k draws
        Assert.Equal(["A", "B", "log_dt", "C", "D"], s5.named_parameters().Select(p => p.Name));
        Assert.Equal([128L, 2], s5.A.shape);
        Assert.Equal([64L, 128, 2], s5.C.shape);
        Assert.Equal([64L, 64], s5.D.shape);
    }

    internal static double Std(double[] v)
    {
        var mean = v.Average();
        return Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average());
    }

    [Fact]
    public void LengthsCountAbsolutePositionsWhenAPrefillContinuesACache()
    {
        // lengths[b] counts the whole sequence: the second prefill call starts at position 3, so its positions
        // 5.. are padding, exactly as in one masked forward over all 8 tokens.
        using var scope = torch.NewDisposeScope();
        using var s5 = Generic(DiscretizationMethod.Zoh);
        var x = Normal(new Random(8), [1, 8, H], ScalarType.Float32, Device.CPU);
        var lengths = torch.tensor(new long[] { 5 });
        var full = s5.Forward(x, new MixerContext { Lengths = lengths });
        using var cache = s5.AllocateCache(1, 8, ScalarType.Float32, Device.CPU);
        var first = s5.Forward(x.narrow(1, 0, 3), new MixerContext { Lengths = lengths, Cache = cache });
        var rest = s5.Forward(x.narrow(1, 3, 5), new MixerContext { Lengths = lengths, Cache = cache });
        Numerics.AssertClose(Doubles(full), Doubles(torch.cat([first, rest], 1)), atol: 1e-5, what: "split prefill with lengths");
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void HalfPrecisionComputesInFloat32(ScalarType half)
    {
        using var scope = torch.NewDisposeScope();
        using var s5 = Generic(DiscretizationMethod.Zoh);
        var x = Normal(new Random(6), [B, L, H], ScalarType.Float32, Device.CPU);
        var reference = Doubles(s5.Forward(x, MixerContext.None));
        s5.to(half);
        var xHalf = x.to(half);
        var y = s5.Forward(xHalf, MixerContext.None);
        Assert.Equal(half, y.dtype);
        Numerics.AssertClose(reference, Doubles(y), atol: 0.05, rtol: 0.02, what: $"{half} vs float32");

        using var cache = s5.AllocateCache(B, L, half, Device.CPU);
        var prefill = s5.Forward(xHalf.narrow(1, 0, L - 1), new MixerContext { Cache = cache });
        var step = s5.Step(xHalf.narrow(1, L - 1, 1), cache);
        Numerics.AssertClose(Doubles(y), Doubles(torch.cat([prefill, step], 1)), atol: 0.02, rtol: 0.01, what: $"{half} prefill + step");
    }

    [Theory]
    [InlineData(DiscretizationMethod.Zoh)]
    [InlineData(DiscretizationMethod.Bilinear)]
    [InlineData(DiscretizationMethod.Dirac)]
    [InlineData(DiscretizationMethod.NoDiscretization)]
    public void GradientsMatchFiniteDifferences(DiscretizationMethod method)
    {
        using var scope = torch.NewDisposeScope();
        using var s5 = Generic(method, h: 3, n: 2, dtype: ScalarType.Float64);
        using (torch.no_grad()) s5.log_dt.fill_(Math.Log(0.4));    // a large Δ, so that Δ's gradient is not tiny
        var x = Normal(new Random(4), [1, 6, 3], ScalarType.Float64, Device.CPU).requires_grad_();
        var weights = Normal(new Random(5), [1, 6, 3], ScalarType.Float64, Device.CPU);
        Tensor Loss() => s5.Forward(x, MixerContext.None).mul(weights).sum();

        Loss().backward();
        foreach (var (name, tensor) in s5.named_parameters().Append(("x", x)))
        {
            var numeric = GradCheck.Numeric(tensor, () => Loss().item<double>());
            // no_discretization never reads log_dt: no gradient reaches it, and none should.
            var analytic = tensor.grad is { } grad ? Doubles(grad) : new double[numeric.Length];
            Numerics.AssertClose(numeric, analytic, atol: 1e-6, rtol: 1e-5, what: $"{method}: d loss / d {name}");
        }
    }
}
