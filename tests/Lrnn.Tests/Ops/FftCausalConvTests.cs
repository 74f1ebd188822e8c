using Lrnn.Ops;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Ops;

/// <summary>
/// ops.fft_causal_conv against the direct sum y[b, t, c, h] = GELU^g(Σ_{s≤t} k[c, h, t−s]·u[b, s, h]) in managed
/// float64, and its backward against finite differences (float64) and against the float64 op (float32 on CUDA).
/// On CUDA, float32 with L ≤ 2048 runs the hand-written kernel (cuda/fft_conv.cu); float64, L = 2049 and
/// LRNN_CUDA_KERNELS=0 (scripts/gpu-remote.sh reruns this class so) run libtorch's transforms. The sizes cover a
/// single step, odd feature counts (the kernel pairs features; the last one is alone) and counts beyond one group of
/// 8 features, several channels, the kernel's longest length (2048) and one beyond it, and inputs that are strided views.
/// </summary>
public class FftCausalConvTests
{
    public static TheoryData<string, int, int, int, int, bool> ForwardCases()
    {
        var data = new TheoryData<string, int, int, int, int, bool>();
        foreach (var device in new[] { "cpu", "cuda" })
            foreach (var (batch, length, features, channels, strided) in new[]
                     {
                         (2, 1, 3, 1, false), (2, 7, 5, 2, false), (1, 300, 4, 1, true), (2, 2048, 3, 1, false),
                         (1, 2048, 2, 2, true), (1, 2049, 2, 1, false), (2, 129, 19, 2, true), (1, 1000, 24, 1, false),
                     })
                data.Add(new TheoryDataRow<string, int, int, int, int, bool>(device, batch, length, features, channels, strided)
                    { Skip = TestDevices.SkipReason(device) });
        return data;
    }

    [Theory]
    [MemberData(nameof(ForwardCases))]
    public void ForwardMatchesTheDirectSum(string dev, int batch, int length, int features, int channels, bool strided)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var rng = new Random(length + features);
        const int extra = 3;
        // A strided u is the (B, L, H) view of a (B, H, L) tensor: feature stride L, time stride 1.
        var u64 = strided
            ? Normal(rng, [batch, features, length], ScalarType.Float64, device).transpose(1, 2)
            : Normal(rng, [batch, length, features], ScalarType.Float64, device);
        var k64 = Normal(rng, [channels, features, length + extra], ScalarType.Float64, device, std: 1.0 / Math.Sqrt(length));
        var expected = Direct(Doubles(u64), Doubles(k64), batch, length, features, channels, length + extra);

        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
            foreach (var gelus in new[] { 0, 1, 2 })
            {
                var y = ops.fft_causal_conv(u64.to(dtype), k64.to(dtype), gelus);
                Assert.Equal([batch, length, channels, features], y.shape);
                Assert.Equal(dtype, y.dtype);
                Assert.True(y.is_contiguous());
                var reference = expected.Select(v => Gelu(v, gelus)).ToArray();
                // Relative to the largest output: float32 transforms of length 4096 keep about 1e-6 of it.
                var scale = expected.Max(Math.Abs);
                Numerics.AssertClose(reference, Doubles(y), atol: (dtype == ScalarType.Float64 ? 1e-11 : 1e-5) * scale,
                    what: $"{dtype}, {gelus} GELUs");
            }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void GradientsMatchFiniteDifferences(int gelus)
    {
        const int batch = 2, length = 5, features = 3, channels = 2, taps = 7;
        GradCheck.AssertGradients(Device.CPU, x => ops.fft_causal_conv(x[0], x[1], gelus),
            (GradCheck.Uniform(batch * length * features, 1), [batch, length, features]),
            (GradCheck.Uniform(channels * features * taps, 2), [channels, features, taps]));
    }

    public static TheoryData<string, int, int, int> GradientCases()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var device in new[] { "cpu", "cuda" })
            foreach (var (length, channels, gelus) in new[] { (300, 1, 0), (2048, 1, 2), (129, 2, 0), (129, 2, 2) })
                data.Add(new TheoryDataRow<string, int, int, int>(device, length, channels, gelus) { Skip = TestDevices.SkipReason(device) });
        return data;
    }

    /// <summary>
    /// Float32 gradients against the float64 op (itself checked against finite differences above). With one channel
    /// on CUDA the input gradient is the kernel run backwards in time; with two it is libtorch's transforms. With
    /// GELUs the backward recomputes the convolution (the kernel on CUDA).
    /// </summary>
    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Float32GradientsMatchTheFloat64Op(string dev, int length, int channels, int gelus)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        const int batch = 2, features = 11;
        var rng = new Random(length);
        var u64 = Normal(rng, [batch, length, features], ScalarType.Float64, Device.CPU);
        var k64 = Normal(rng, [channels, features, length + 1], ScalarType.Float64, Device.CPU, std: 1.0 / Math.Sqrt(length));
        var g64 = Normal(rng, [batch, length, channels, features], ScalarType.Float64, Device.CPU);

        var (du, dk) = Gradients(u64, k64, g64, gelus);
        var (du32, dk32) = Gradients(u64.to(ScalarType.Float32, device), k64.to(ScalarType.Float32, device), g64.to(ScalarType.Float32, device), gelus);
        Assert.Equal(ScalarType.Float32, du32.dtype);
        Assert.Equal([channels, features, length + 1L], dk32.shape);
        var (duRef, dkRef) = (Doubles(du), Doubles(dk));
        Numerics.AssertClose(duRef, Doubles(du32), atol: 1e-5 * duRef.Max(Math.Abs), what: "dL/du");
        Numerics.AssertClose(dkRef, Doubles(dk32), atol: 1e-5 * dkRef.Max(Math.Abs), what: "dL/dk");
        // The tap beyond L reaches no output.
        Assert.All(Doubles(dk32.narrow(2, length, 1)), v => Assert.Equal(0.0, v));

        static (Tensor Du, Tensor Dk) Gradients(Tensor u, Tensor k, Tensor g, int gelus)
        {
            var (ul, kl) = (u.detach().requires_grad_(), k.detach().requires_grad_());
            ops.fft_causal_conv(ul, kl, gelus).mul(g).sum().backward();
            return (ul.grad!, kl.grad!);
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BFloat16InputsAreComputedInFloat32(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var rng = new Random(5);
        var u = Normal(rng, [1, 64, 4], ScalarType.BFloat16, device);
        var k = Normal(rng, [1, 4, 64], ScalarType.BFloat16, device, std: 0.125);
        var y = ops.fft_causal_conv(u, k);
        Assert.Equal(ScalarType.Float32, y.dtype);
        // The reference takes the bf16 values exactly: only the arithmetic may differ.
        var expected = Direct(Doubles(u), Doubles(k), 1, 64, 4, 1, 64);
        Numerics.AssertClose(expected, Doubles(y), atol: 1e-5 * expected.Max(Math.Abs));
    }

    [Fact]
    public void BadShapesAndDtypesAreRejectedWithTheReason()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => ops.fft_causal_conv(torch.ones([2, 8, 3]), torch.ones([1, 3, 7])));
        Assert.Contains("K ≥ L", e.Message);
        Assert.Contains("[1, 3, 7]", e.Message);
        e = Assert.Throws<ArgumentException>(() => ops.fft_causal_conv(torch.ones([2, 8, 3]), torch.ones([1, 4, 8])));
        Assert.Contains("[2, 8, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => ops.fft_causal_conv(torch.ones([2, 0, 3]), torch.ones([1, 3, 8])));
        Assert.Contains("L ≥ 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => ops.fft_causal_conv(torch.ones([2, 8, 3], dtype: ScalarType.ComplexFloat32), torch.ones([1, 3, 8])));
        Assert.Contains("real floating point", e.Message);
        e = Assert.Throws<ArgumentException>(() => ops.fft_causal_conv(torch.ones([2, 8, 3]), torch.ones([1, 3, 8]), gelus: 3));
        Assert.Contains("gelus must be 0, 1 or 2", e.Message);
    }

    private static double Gelu(double v, int times)
    {
        for (var i = 0; i < times; i++) v = ExactGelu.Of(v);
        return v;
    }

    private static double[] Direct(double[] u, double[] k, int batch, int length, int features, int channels, int taps)
    {
        var y = new double[batch * length * channels * features];
        for (var b = 0; b < batch; b++)
        for (var t = 0; t < length; t++)
        for (var c = 0; c < channels; c++)
        for (var h = 0; h < features; h++)
        {
            double sum = 0;
            for (var s = 0; s <= t; s++) sum += k[(c * features + h) * taps + t - s] * u[(b * length + s) * features + h];
            y[((b * length + t) * channels + c) * features + h] = sum;
        }
        return y;
    }
}
