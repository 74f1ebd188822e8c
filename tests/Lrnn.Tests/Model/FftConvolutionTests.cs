using System.Numerics;
using Lrnn.Modules.Lti;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Model;

public class FftConvolutionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    public void RealConvolutionMatchesTheDirectSum(int length)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var x = torch.randn([2, 3, length], dtype: ScalarType.Float64);          // (B, C, L)
        var k = torch.randn([3, length + 2], dtype: ScalarType.Float64);         // (C, K) with K > L
        var y = FftConvolution.Causal(x, k.unsqueeze(0), dim: 2);
        Assert.Equal(ScalarType.Float64, y.dtype);
        var xs = x.ToArray<double>();
        var ks = k.ToArray<double>();
        var expected = new double[2 * 3 * length];
        for (var b = 0; b < 2; b++)
        for (var c = 0; c < 3; c++)
        for (var t = 0; t < length; t++)
        {
            double sum = 0;
            for (var s = 0; s <= t; s++) sum += ks[c * (length + 2) + t - s] * xs[(b * 3 + c) * length + s];
            expected[(b * 3 + c) * length + t] = sum;
        }
        Numerics.AssertClose(expected, y.ToArray<double>(), 1e-10);
    }

    [Fact]
    public void ComplexKernelUsesTheComplexTransform()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        const int length = 5;
        var x = torch.randn([length, 2], dtype: ScalarType.Float64);                              // (L, N) real
        var k = torch.complex(torch.randn([length, 2], dtype: ScalarType.Float64), torch.randn([length, 2], dtype: ScalarType.Float64));
        var y = FftConvolution.Causal(x, k, dim: 0);
        Assert.Equal(ScalarType.ComplexFloat64, y.dtype);
        var xs = x.ToArray<double>();
        var ks = k.ToArray<Complex>();
        var ys = y.ToArray<Complex>();
        for (var t = 0; t < length; t++)
        for (var n = 0; n < 2; n++)
        {
            Complex sum = 0;
            for (var s = 0; s <= t; s++) sum += ks[(t - s) * 2 + n] * xs[s * 2 + n];
            Assert.True(Complex.Abs(sum - ys[t * 2 + n]) < 1e-10, $"t={t} n={n}: {sum} vs {ys[t * 2 + n]}");
        }
    }

    [Fact]
    public void BFloat16InputIsComputedInFloat32()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones([1, 4]).to(ScalarType.BFloat16);
        var y = FftConvolution.Causal(x, torch.ones([1, 4]), dim: 1);
        Assert.Equal(ScalarType.Float32, y.dtype);
        Numerics.AssertClose(new float[] { 1, 2, 3, 4 }, y.ToArray<float>(), 1e-5);
    }

    [Fact]
    public void ShortKernelIsRejected()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => FftConvolution.Causal(torch.ones([1, 4]), torch.ones([1, 3]), dim: 1));
        Assert.Contains("3 taps", e.Message);
    }
}
