using System.Numerics;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

/// <summary>torch.fft against a naive O(n^2) DFT in float64, and FFT convolution against direct convolution.</summary>
public class FftTests
{
    private static readonly double[] Signal = { 0.5, -1.25, 2, 0.75, -0.3, 1.1, -2.4 };   // L = 7 (odd on purpose)

    /// <summary>X[k] = sum_t x[t] e^{-2 pi i k t / n}, x zero-padded or trimmed to n.</summary>
    private static Complex[] Dft(Complex[] x, int n, bool inverse = false)
    {
        var sign = inverse ? 1.0 : -1.0;
        var result = new Complex[n];
        for (var k = 0; k < n; k++)
        for (var t = 0; t < Math.Min(n, x.Length); t++)
            result[k] += x[t] * Complex.FromPolarCoordinates(1, sign * 2 * Math.PI * k * t / n);
        return inverse ? result.Select(v => v / n).ToArray() : result;
    }

    private static Complex[] AsComplex(double[] x) => x.Select(v => new Complex(v, 0)).ToArray();

    private static void AssertClose(Complex[] expected, Complex[] actual, double atol = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        Numerics.AssertClose(expected.Select(c => c.Real).ToArray(), actual.Select(c => c.Real).ToArray(), atol, what: "real parts");
        Numerics.AssertClose(expected.Select(c => c.Imaginary).ToArray(), actual.Select(c => c.Imaginary).ToArray(), atol, what: "imaginary parts");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void RfftMatchesTheDftIncludingPaddingAndTrimming(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(Signal, device: dev);
        foreach (var n in new[] { 7, 16, 5 })
        {
            var expected = Dft(AsComplex(Signal), n).Take(n / 2 + 1).ToArray();
            var actual = n == 7 ? torch.fft.rfft(x) : torch.fft.rfft(x, n);
            Assert.Equal(ScalarType.ComplexFloat64, actual.dtype);
            AssertClose(expected, actual.ToArray<Complex>());
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void FftAndIfftMatchTheDftOfComplexInput(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var z = Signal.Select((v, t) => new Complex(v, 0.3 * t - 1)).ToArray();
        var input = torch.tensor(z, device: dev);
        AssertClose(Dft(z, 7), torch.fft.fft_(input).ToArray<Complex>());
        AssertClose(Dft(z, 10), torch.fft.fft_(input, 10).ToArray<Complex>());
        AssertClose(Dft(z, 7, inverse: true), torch.fft.ifft(input).ToArray<Complex>());
        AssertClose(z, torch.fft.ifft(torch.fft.fft_(input)).ToArray<Complex>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void NormModesScaleAsDocumented(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(Signal, device: dev);
        var dft = Dft(AsComplex(Signal), 7).Take(4).ToArray();
        AssertClose(dft.Select(v => v / Math.Sqrt(7)).ToArray(), torch.fft.rfft(x, norm: "ortho").ToArray<Complex>());
        AssertClose(dft.Select(v => v / 7).ToArray(), torch.fft.rfft(x, norm: "forward").ToArray<Complex>());
        var roundTrip = torch.fft.irfft(torch.fft.rfft(x, norm: "forward"), 7, norm: "forward");
        Numerics.AssertClose(Signal, roundTrip.ToArray<double>(), 1e-12);
        Assert.Throws<ArgumentException>(() => torch.fft.rfft(x, norm: "sideways"));
        Assert.Throws<ArgumentException>(() => torch.fft.rfft(x, 0));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void IrfftOfAZeroPaddedRfftRecoversTheSignal(string dev)
    {
        using var scope = torch.NewDisposeScope();
        // (B, L) = (2, 7): the transform runs along the last dimension of every row.
        var rows = Signal.Concat(Signal.Select(v => 3 * v + 1)).ToArray();
        var x = torch.tensor(rows, new long[] { 2, 7 }, dev);
        var spectrum = torch.fft.rfft(x, 14);
        Assert.Equal(new long[] { 2, 8 }, spectrum.shape);
        var back = torch.fft.irfft(spectrum, 14);
        Assert.Equal(new long[] { 2, 14 }, back.shape);
        Numerics.AssertClose(rows, back.narrow(-1, 0, 7).contiguous().ToArray<double>(), 1e-12);
        Numerics.AssertClose(new double[14], back.narrow(-1, 7, 7).contiguous().ToArray<double>(), 1e-12);   // the padding stays zero
    }

    /// <summary>y[t] = sum_{s <= t} k[s] u[t - s]: a causal (LTI) convolution, the way long-convolution mixers use it.</summary>
    private static Tensor FftCausalConv(Tensor u, Tensor k)
    {
        var length = u.size(-1);
        var product = torch.fft.rfft(u, 2 * length) * torch.fft.rfft(k, 2 * length);
        return torch.fft.irfft(product, 2 * length).narrow(-1, 0, length);
    }

    private static readonly double[] Kernel = { 1.0, -0.5, 0.25, 0.8, -0.1, 0.05, 0.3 };

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void FftConvolutionEqualsDirectCausalConvolution(string dev)
    {
        using var scope = torch.NewDisposeScope();
        // (B, D, L) = (2, 3, 7) inputs against a (D, L) kernel, broadcast over the batch.
        const int B = 2, D = 3, L = 7;
        var u = Enumerable.Range(0, B * D * L).Select(v => Math.Sin(0.37 * v) + 0.1 * (v % 5)).ToArray();
        var k = Enumerable.Range(0, D * L).Select(v => Kernel[v % L] * (1 + v / L)).ToArray();
        var expected = new double[B * D * L];
        for (var b = 0; b < B; b++)
        for (var d = 0; d < D; d++)
        for (var t = 0; t < L; t++)
        for (var s = 0; s <= t; s++)
            expected[(b * D + d) * L + t] += k[d * L + s] * u[(b * D + d) * L + t - s];

        var y = FftCausalConv(torch.tensor(u, new long[] { B, D, L }, dev), torch.tensor(k, new long[] { D, L }, dev));
        Assert.Equal(new long[] { B, D, L }, y.shape);
        Numerics.AssertClose(expected, y.contiguous().ToArray<double>(), 1e-12);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void FftGradientsMatchFiniteDifferences(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var shape = new long[] { 1, 7 };
        // The zero-padded round trip is the identity on the first L entries...
        GradCheck.AssertGradient(x => torch.fft.irfft(torch.fft.rfft(x * x, 14), 14).narrow(-1, 0, 7), Signal, shape, dev);
        // ...and the FFT convolution's gradient is the correlation with the kernel.
        var kernel = torch.tensor(Kernel, shape, dev);
        GradCheck.AssertGradient(x => FftCausalConv(x, kernel), Signal, shape, dev);
        GradCheck.AssertGradient(x => torch.view_as_real(torch.fft.fft_(x, norm: "ortho")), Signal, shape, dev);
    }
}
