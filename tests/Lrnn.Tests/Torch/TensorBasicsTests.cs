using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

public class TensorBasicsTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void RoundTripsDataAndMetadata(string dev)
    {
        Device device = dev;
        using var t = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 }, device);
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(device.Type, t.device.Type);
        Assert.Equal(6, t.numel());
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, t.ToArray<float>());
        Assert.StartsWith("Tensor[2, 3] Float32 " + dev, t.ToString());
    }

    [Fact]
    public void ScalarOperatorsPromoteAsPyTorchDoes()
    {
        using var i = torch.arange(4);             // int64
        using var f = i * 0.5;                      // a Python float promotes to the default float dtype
        Assert.Equal(ScalarType.Int64, i.dtype);
        Assert.Equal(ScalarType.Float32, f.dtype);
        Assert.Equal(new[] { 0f, 0.5f, 1f, 1.5f }, f.ToArray<float>());
        using var r = 1.0 - f;
        Assert.Equal(new[] { 1f, 0.5f, 0f, -0.5f }, r.ToArray<float>());
        using var q = 3.0 / torch.full(new long[] { 2 }, 2.0);
        Assert.Equal(new[] { 1.5f, 1.5f }, q.ToArray<float>());
    }

    [Fact]
    public void ItemConvertsTheSingleElement()
    {
        using var s = torch.tensor(new double[] { 2.5 }).sum();
        Assert.Equal(2.5, s.item<double>());
        using var n = torch.arange(5).sum();
        Assert.Equal(10L, n.item<long>());
    }

    [Fact]
    public void BackwardGivesTheAnalyticGradient()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2, 3 }, requires_grad: true);
        var y = (x * x).sum();          // dy/dx = 2x
        y.backward();
        Assert.Equal(new double[] { 2, 4, 6 }, x.grad!.ToArray<double>());
        using (torch.no_grad())
        {
            var z = x * 2.0;
            Assert.False(z.requires_grad);
        }
        Assert.True(torch.is_grad_enabled());
    }
}
