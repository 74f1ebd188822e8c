using System.Numerics;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

public class CreationTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void EveryDtypeRoundTripsThroughTensorToArrayAndItem(string dev)
    {
        Device device = dev;
        RoundTrip(new[] { 1.5, -2.25, 1e300 }, ScalarType.Float64, device);
        RoundTrip(new[] { 1.5f, -2.25f, 3e38f }, ScalarType.Float32, device);
        RoundTrip(new[] { (BFloat16)1.5f, (BFloat16)(-2.25f), (BFloat16)3e38f }, ScalarType.BFloat16, device);
        RoundTrip(new[] { (Half)1.5f, (Half)(-2.25f), (Half)65504f }, ScalarType.Float16, device);
        RoundTrip(new[] { long.MaxValue, -3L, 0L }, ScalarType.Int64, device);
        RoundTrip(new[] { int.MinValue, 7, 0 }, ScalarType.Int32, device);
        RoundTrip(new short[] { short.MaxValue, -7, 0 }, ScalarType.Int16, device);
        RoundTrip(new sbyte[] { sbyte.MinValue, 5, 0 }, ScalarType.Int8, device);
        RoundTrip(new byte[] { 255, 5, 0 }, ScalarType.Byte, device);
        RoundTrip(new[] { true, false, true }, ScalarType.Bool, device);
        RoundTrip(new[] { new ComplexFloat(1.5f, -2f), new ComplexFloat(0, 3), new ComplexFloat(-1, 0) }, ScalarType.ComplexFloat32, device);
        RoundTrip(new[] { new Complex(1.5, -2), new Complex(0, 1e-300), new Complex(-1, 0) }, ScalarType.ComplexFloat64, device);
    }

    private static void RoundTrip<T>(T[] values, ScalarType expected, Device device) where T : unmanaged
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(values, new long[] { 1, values.Length }, device);
        Assert.Equal(expected, t.dtype);
        Assert.Equal(device.Type, t.device.Type);
        Assert.Equal(new long[] { 1, values.Length }, t.shape);
        Assert.Equal(values, t.ToArray<T>());
        for (var k = 0; k < values.Length; k++)
            Assert.Equal(values[k], t.select(1, k).item<T>());
    }

    [Fact]
    public void ItemConvertsBetweenKinds()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(3.0, torch.scalar_tensor(3L).item<double>());
        Assert.Equal((Half)2.5f, torch.scalar_tensor(2.5).item<Half>());
        Assert.Equal(new Complex(2.5, 0), torch.scalar_tensor(2.5f).item<Complex>());
        Assert.Throws<OverflowException>(() => torch.scalar_tensor(300L).item<byte>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void FactoriesFillAsDocumented(string dev)
    {
        Device device = dev;
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new double[] { 0, 0, 0 }, torch.zeros(new long[] { 3 }, torch.float64, device).ToArray<double>());
        Assert.Equal(new long[] { 1, 1 }, torch.ones(new long[] { 2 }, torch.int64, device).ToArray<long>());
        Assert.Equal(new[] { 2.5f, 2.5f }, torch.full(new long[] { 2 }, 2.5, device: device).ToArray<float>());
        Assert.Equal(new long[] { 2, 5, 8 }, torch.arange(2, 10, 3, device: device).ToArray<long>());
        Assert.Equal(new[] { 0.0, 0.25, 0.5, 0.75, 1.0 }, torch.linspace(0, 1, 5, torch.float64, device).ToArray<double>());
        var empty = torch.empty(new long[] { 2, 3 }, torch.int16, device);
        Assert.Equal(new long[] { 2, 3 }, empty.shape);
        Assert.Equal(ScalarType.Int16, empty.dtype);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void EyeIsTheIdentity(string dev)
    {
        Device device = dev;
        using var scope = torch.NewDisposeScope();
        var square = torch.eye(3, dtype: torch.float64, device: device);
        Assert.Equal(new long[] { 3, 3 }, square.shape);
        Assert.Equal(new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, square.ToArray<double>());
        var wide = torch.eye(2, 3, torch.int64, device);
        Assert.Equal(new long[] { 1, 0, 0, 0, 1, 0 }, wide.ToArray<long>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LikeFactoriesKeepShapeDeviceAndDtypeUnlessOverridden(string dev)
    {
        Device device = dev;
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(new long[] { 2, 3 }, torch.float64, device).transpose(0, 1);   // (3, 2), not contiguous

        var zeros = torch.zeros_like(x);
        Assert.Equal(new long[] { 3, 2 }, zeros.shape);
        Assert.Equal(ScalarType.Float64, zeros.dtype);
        Assert.Equal(device.Type, zeros.device.Type);
        Assert.Equal(new double[6], zeros.ToArray<double>());

        var ones = torch.ones_like(x, torch.int32);
        Assert.Equal(ScalarType.Int32, ones.dtype);
        Assert.Equal(Enumerable.Repeat(1, 6).ToArray(), ones.ToArray<int>());

        var full = torch.full_like(x, -1.5, torch.float32);
        Assert.Equal(Enumerable.Repeat(-1.5f, 6).ToArray(), full.ToArray<float>());

        var empty = torch.empty_like(x, torch.bfloat16);
        Assert.Equal(new long[] { 3, 2 }, empty.shape);
        Assert.Equal(ScalarType.BFloat16, empty.dtype);
        Assert.Equal(device.Type, empty.device.Type);
    }

    [Fact]
    public void FactoriesCanCreateLeavesThatRequireGrad()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.zeros(new long[] { 2 }, torch.float64, requires_grad: true);
        var v = torch.ones_like(w, requires_grad: true);
        Assert.True(w.requires_grad && w.is_leaf);
        Assert.True(v.requires_grad && v.is_leaf);
        (w * v).sum().backward();
        Assert.Equal(new double[] { 1, 1 }, w.grad!.ToArray<double>());
        Assert.Equal(new double[] { 0, 0 }, v.grad!.ToArray<double>());
        Assert.False(torch.zeros_like(w).requires_grad);
    }

    [CudaFact]
    public void TensorsLandOnTheIndexedCudaDevice()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(new[] { 1f, 2f }, device: "cuda:0");
        Assert.Equal(Device.CUDA(0), t.device);
        Assert.Equal(Device.CUDA(0), torch.zeros_like(t).device);
        Assert.Equal(new[] { 1f, 2f }, t.ToArray<float>());
    }
}
