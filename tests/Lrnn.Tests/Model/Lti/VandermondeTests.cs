using System.Numerics;
using Lrnn.Modules.Lti;
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
    /// size l·|log λ| once, where repeated products would accumulate l roundings.
    /// </summary>
    [Fact]
    public void Float32AtLength2048IsAsAccurateAsTheDirectPowers()
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
        var factored = Vandermonde.RealModesToTime(w32, log32, length);
        Assert.Equal(ScalarType.Float32, factored.dtype);
        var powers32 = log32.unsqueeze(-1).mul(torch.arange(length, ScalarType.Float32)).exp();
        var direct = torch.einsum("ghn,hnl->ghl", w32, powers32).real;
        double MaxError(Tensor t) => Doubles(t).Zip(exact, (a, e) => Math.Abs(a - e)).Max();
        var (factoredError, directError) = (MaxError(factored), MaxError(direct));
        Assert.True(factoredError <= 2 * directError + 1e-5, $"factored {factoredError} vs direct {directError}");
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
