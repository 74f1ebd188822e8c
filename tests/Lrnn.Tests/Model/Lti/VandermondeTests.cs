using System.Numerics;
using Lrnn.Modules.Lti;
using Lrnn.Ops;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model.Lti;

public sealed class VandermondeTests
{
    private const long G = 2, H = 3, N = 4;

    /// <summary>Every device × lengths: 1, a perfect square, and lengths that leave the last block of T partly unused.</summary>
    public static TheoryData<string, long> DevicesAndLengths()
    {
        var data = new TheoryData<string, long>();
        foreach (var device in new[] { "cpu", "cuda" })
            foreach (var length in new long[] { 1, 2, 7, 16, 30 })
                data.Add(new TheoryDataRow<string, long>(device, length) { Skip = TestDevices.SkipReason(device) });
        return data;
    }

    /// <summary>log λ (H, N) as real leaves: decays in [−0.6, 0] per step, phases up to about ±3 rad per step.</summary>
    private static (Tensor Re, Tensor Im) LogLambda(Random rng, string device) =>
        (Normal(rng, [H, N], ScalarType.Float64, device, std: 0.3).abs().neg().requires_grad_(),
         Normal(rng, [H, N], ScalarType.Float64, device, std: 1.5).requires_grad_());

    /// <summary>λ^l as the direct exp(l·log λ), the full (H, N, L) tensor the helper avoids.</summary>
    private static Tensor DirectPowers(Tensor logLambda, long length) =>
        logLambda.unsqueeze(-1).mul(torch.arange(length, ScalarType.Float64, logLambda.device)).exp();

    private static Complex[] Complexes(Tensor re, Tensor im) =>
        Doubles(re).Zip(Doubles(im), (r, i) => new Complex(r, i)).ToArray();

    [Theory]
    [MemberData(nameof(DevicesAndLengths))]
    public void RealModesToTimeMatchesTheDirectPowers(string device, long length)
    {
        using var scope = torch.NewDisposeScope();
        var rng = new Random(1);
        var (logRe, logIm) = LogLambda(rng, device);
        var wRe = Normal(rng, [G, H, N], ScalarType.Float64, device).requires_grad_();
        var wIm = Normal(rng, [G, H, N], ScalarType.Float64, device).requires_grad_();
        var y = Vandermonde.RealModesToTime(torch.complex(wRe, wIm), torch.complex(logRe, logIm), length);
        Assert.Equal([G, H, length], y.shape);

        var (w, logLambda) = (Complexes(wRe, wIm), Complexes(logRe, logIm));
        var expected = new double[G * H * length];
        for (var g = 0; g < G; g++)
        for (var h = 0; h < H; h++)
        for (var l = 0; l < length; l++)
        for (var n = 0; n < N; n++)
            expected[(g * H + h) * length + l] += (w[(g * H + h) * N + n] * Complex.Exp(l * logLambda[h * N + n])).Real;
        Numerics.AssertClose(expected, Doubles(y), atol: 1e-12, what: "values");

        var probe = Normal(rng, [G, H, length], ScalarType.Float64, device);
        var direct = torch.einsum("ghn,hnl->ghl", torch.complex(wRe, wIm), DirectPowers(torch.complex(logRe, logIm), length)).real;
        AssertSameGradients([wRe, wIm, logRe, logIm], y.mul(probe).sum(), direct.mul(probe).sum());
    }

    [Theory]
    [MemberData(nameof(DevicesAndLengths))]
    public void TimeToModesMatchesTheDirectPowers(string device, long length)
    {
        using var scope = torch.NewDisposeScope();
        var rng = new Random(2);
        var (logRe, logIm) = LogLambda(rng, device);
        var v = Normal(rng, [G, length, H], ScalarType.Float64, device).requires_grad_();
        var s = Vandermonde.TimeToModes(v, torch.complex(logRe, logIm));
        Assert.Equal([G, H, N], s.shape);

        var (values, logLambda) = (Doubles(v), Complexes(logRe, logIm));
        var expected = new Complex[G * H * N];
        for (var g = 0; g < G; g++)
        for (var h = 0; h < H; h++)
        for (var n = 0; n < N; n++)
        for (var l = 0; l < length; l++)
            expected[(g * H + h) * N + n] += values[(g * length + l) * H + h] * Complex.Exp(l * logLambda[h * N + n]);
        Numerics.AssertClose(expected.SelectMany(c => new[] { c.Real, c.Imaginary }).ToArray(), Doubles(torch.view_as_real(s)), atol: 1e-12, what: "values");

        var probe = Normal(rng, [G, H, N, 2], ScalarType.Float64, device);
        var direct = torch.einsum("glh,hnl->ghn", v.to(ScalarType.ComplexFloat64), DirectPowers(torch.complex(logRe, logIm), length));
        AssertSameGradients([v, logRe, logIm], torch.view_as_real(s).mul(probe).sum(), torch.view_as_real(direct).mul(probe).sum());
    }

    /// <summary>
    /// In float32 at L = 2048 the two exp factors are as accurate as the one exp(l·log λ): both round an argument of
    /// size l·|log λ| once, where repeated products would accumulate l roundings. On CUDA (no gradients) this is the
    /// kernel's factorisation (cuda/vandermonde.cu), on the CPU the ATen one.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Float32AtLength2048IsAsAccurateAsTheDirectPowers(string device)
    {
        using var scope = torch.NewDisposeScope();
        const long length = 2048;
        var rng = new Random(3);
        // Slow decays (|λ|^L down to about e^-2) and phases up to a few rad per step.
        var logLambda = torch.complex(Normal(rng, [H, N], ScalarType.Float64, Device.CPU, std: 1e-3).abs().neg(),
                                      Normal(rng, [H, N], ScalarType.Float64, Device.CPU, std: 1.5));
        var w = torch.complex(Normal(rng, [1, H, N], ScalarType.Float64, Device.CPU), Normal(rng, [1, H, N], ScalarType.Float64, Device.CPU));
        var exact = Doubles(torch.einsum("ghn,hnl->ghl", w, DirectPowers(logLambda, length)).real);
        var (w32, log32) = (w.to(ScalarType.ComplexFloat32), logLambda.to(ScalarType.ComplexFloat32));
        var factored = Vandermonde.RealModesToTime(w32.to(device), log32.to(device), length);
        Assert.Equal(ScalarType.Float32, factored.dtype);
        var powers32 = log32.unsqueeze(-1).mul(torch.arange(length, ScalarType.Float32)).exp();
        var direct = torch.einsum("ghn,hnl->ghl", w32, powers32).real;
        double MaxError(Tensor t) => Doubles(t).Zip(exact, (a, e) => Math.Abs(a - e)).Max();
        var (factoredError, directError) = (MaxError(factored), MaxError(direct));
        Assert.True(factoredError <= 2 * directError + 1e-5, $"factored {factoredError} vs direct {directError}");
    }

    public static TheoryData<string, long, long> NoGradientCases()
    {
        var data = new TheoryData<string, long, long>();
        foreach (var device in new[] { "cpu", "cuda" })
            foreach (var (modes, length) in new (long, long)[] { (4, 1), (4, 7), (32, 100), (64, 2048), (4, 2049), (65, 30) })
                data.Add(new TheoryDataRow<string, long, long>(device, modes, length) { Skip = TestDevices.SkipReason(device) });
        return data;
    }

    /// <summary>
    /// Without gradients, complex64 on CUDA takes the kernel (N ≤ 64, L ≤ 2048; the last two cases fall back to the ATen
    /// factorisation), with a term added at l = 0: values against the float64 direct powers, at most twice the error of the float32 direct powers
    /// (which round phases of up to l·|Im log λ| ≈ thousands of radians at L = 2048) plus 1e-5 of the largest value.
    /// </summary>
    [Theory]
    [MemberData(nameof(NoGradientCases))]
    public void WithoutGradientsFloat32MatchesTheDirectPowers(string device, long modes, long length)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var rng = new Random((int)(modes + length));
        var logLambda = torch.complex(Normal(rng, [H, modes], ScalarType.Float64, Device.CPU, std: 0.01).abs().neg(),
                                      Normal(rng, [H, modes], ScalarType.Float64, Device.CPU, std: 1.0));
        var w = torch.complex(Normal(rng, [G, H, modes], ScalarType.Float64, Device.CPU), Normal(rng, [G, H, modes], ScalarType.Float64, Device.CPU));
        var atZero = Normal(rng, [G, H], ScalarType.Float64, Device.CPU);                   // added at l = 0 (S4D's D)
        var exact = Doubles(torch.einsum("ghn,hnl->ghl", w, DirectPowers(logLambda, length)).real);
        var skip = Doubles(atZero);
        for (var row = 0; row < G * H; row++) exact[row * length] += skip[row];
        var y = Vandermonde.RealModesToTime(w.to(ScalarType.ComplexFloat32, device), logLambda.to(ScalarType.ComplexFloat32, device), length,
                                            atZero: atZero.to(ScalarType.Float32, device));
        Assert.Equal([G, H, length], y.shape);
        Assert.Equal(ScalarType.Float32, y.dtype);
        var (w32, log32) = (w.to(ScalarType.ComplexFloat32), logLambda.to(ScalarType.ComplexFloat32));
        var direct32 = Doubles(torch.einsum("ghn,hnl->ghl", w32, log32.unsqueeze(-1).mul(torch.arange(length, ScalarType.Float32)).exp()).real);
        for (var row = 0; row < G * H; row++) direct32[row * length] += (float)skip[row];
        var directError = direct32.Zip(exact, (a, e) => Math.Abs(a - e)).Max();
        Numerics.AssertClose(exact, Doubles(y), atol: 2 * directError + 1e-5 * exact.Max(Math.Abs));
    }

    /// <summary>The kernel cannot give gradients: it declines inputs that need one (then the ATen path runs), and
    /// serves the same inputs without gradients where the kernels are on (ops.CudaKernels).</summary>
    [CudaFact]
    public void TheKernelDeclinesInputsThatNeedAGradient()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.ones([1, 2, 3], dtype: ScalarType.ComplexFloat32, device: Device.CUDA()).requires_grad_();
        var logLambda = torch.ones([2, 3], dtype: ScalarType.ComplexFloat32, device: Device.CUDA());
        Assert.Null(ops.real_modes_to_time_kernel(w, logLambda, 8));
        using (torch.no_grad())
        using (var served = ops.real_modes_to_time_kernel(w, logLambda, 8))
            Assert.Equal(ops.CudaKernels, served is not null);
    }

    /// <summary>The gradients of the factored and of the direct loss with respect to each leaf agree in float64.</summary>
    private static void AssertSameGradients(Tensor[] leaves, Tensor factoredLoss, Tensor directLoss)
    {
        var (factored, direct) = (Gradients(factoredLoss, leaves), Gradients(directLoss, leaves));
        for (var i = 0; i < leaves.Length; i++)
            Numerics.AssertClose(direct[i], factored[i], atol: 1e-10, what: $"gradient of leaf {i}");
    }

    private static double[][] Gradients(Tensor loss, Tensor[] leaves)
    {
        foreach (var leaf in leaves) leaf.grad = null;
        loss.backward();
        return leaves.Select(leaf => Doubles(leaf.grad!)).ToArray();
    }
}
