using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

/// <summary>CUDA memory statistics and seeding, and autocast (CPU and CUDA).</summary>
public class CudaTests
{
    [Fact]
    public void WithoutCudaTheMemoryStatisticsReadZero()
    {
        if (torch.Info.BuiltWithCuda) Assert.Skip("The shim links libtorch_cuda; CudaMemoryStatisticsTrackAllocations covers it.");
        Assert.Equal(0, torch.cuda.memory_allocated());
        Assert.Equal(0, torch.cuda.memory_reserved());
        Assert.Equal(0, torch.cuda.max_memory_allocated());
        Assert.Equal(0, torch.cuda.max_memory_reserved());
        torch.cuda.reset_peak_memory_stats();
        torch.cuda.empty_cache();
        torch.cuda.manual_seed_all(1);
    }

    [CudaFact]
    public void CudaMemoryStatisticsTrackAllocations()
    {
        const long bytes = 64L << 20;
        torch.cuda.synchronize();
        torch.cuda.empty_cache();
        torch.cuda.reset_peak_memory_stats();
        var before = torch.cuda.memory_allocated();
        using (var t = torch.empty(new long[] { bytes / 4 }, ScalarType.Float32, Device.CUDA()))
        {
            Assert.Equal(before + bytes, torch.cuda.memory_allocated());
            Assert.True(torch.cuda.memory_reserved() >= torch.cuda.memory_allocated());
        }
        Assert.Equal(before, torch.cuda.memory_allocated());
        Assert.Equal(before + bytes, torch.cuda.max_memory_allocated());
        torch.cuda.reset_peak_memory_stats();
        Assert.Equal(before, torch.cuda.max_memory_allocated());
        var reserved = torch.cuda.memory_reserved();
        torch.cuda.empty_cache();
        Assert.True(torch.cuda.memory_reserved() <= reserved - bytes);
    }

    [CudaFact]
    public void ManualSeedAllAndTheCudaRngStateReproduceDraws()
    {
        using var scope = torch.NewDisposeScope();
        torch.cuda.manual_seed_all(21);
        var a = torch.randn(new long[] { 16 }, device: Device.CUDA()).ToArray<float>();
        var state = torch.cuda.get_rng_state();
        var b = torch.randn(new long[] { 16 }, device: Device.CUDA()).ToArray<float>();
        torch.cuda.manual_seed_all(21);
        Assert.Equal(a, torch.randn(new long[] { 16 }, device: Device.CUDA()).ToArray<float>());
        torch.cuda.set_rng_state(state);
        Assert.Equal(b, torch.randn(new long[] { 16 }, device: Device.CUDA()).ToArray<float>());
    }

    [Theory]
    [InlineData(DeviceType.CPU)]
    [InlineData(DeviceType.CUDA)]
    public void AutocastRestoresThePreviousStateWhenNested(DeviceType deviceType)
    {
        var initialDtype = torch.get_autocast_dtype(deviceType);
        // libtorch 1.13's CPU autocast accepts only bfloat16.
        var innerDtype = deviceType == DeviceType.CUDA ? ScalarType.Float16 : ScalarType.BFloat16;
        Assert.False(torch.is_autocast_enabled(deviceType));
        using (torch.autocast(ScalarType.BFloat16, deviceType))
        {
            Assert.True(torch.is_autocast_enabled(deviceType));
            Assert.Equal(ScalarType.BFloat16, torch.get_autocast_dtype(deviceType));
            using (torch.autocast(innerDtype, deviceType, enabled: false))
            {
                Assert.False(torch.is_autocast_enabled(deviceType));
                Assert.Equal(innerDtype, torch.get_autocast_dtype(deviceType));
            }
            Assert.True(torch.is_autocast_enabled(deviceType));
            Assert.Equal(ScalarType.BFloat16, torch.get_autocast_dtype(deviceType));
        }
        Assert.False(torch.is_autocast_enabled(deviceType));
        Assert.Equal(initialDtype, torch.get_autocast_dtype(deviceType));
        Assert.Throws<ArgumentException>(() => torch.autocast(ScalarType.Float64, deviceType));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AutocastRunsMatmulsInTheLowerPrecision(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var a = torch.tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 }, device);
        var b = torch.tensor(new float[] { 0.5f, -1, 2, 0.25f }, new long[] { 2, 2 }, device);
        Tensor inside;
        using (torch.autocast(ScalarType.BFloat16, device.Type))
            inside = a.matmul(b);
        var outside = a.matmul(b);
        Assert.Equal(ScalarType.BFloat16, inside.dtype);
        Assert.Equal(ScalarType.Float32, outside.dtype);
        // Every product and sum here is exact in bfloat16.
        Assert.Equal(new float[] { 4.5f, -0.5f, 9.5f, -2 }, inside.to(ScalarType.Float32).ToArray<float>());
        Assert.Equal(new float[] { 4.5f, -0.5f, 9.5f, -2 }, outside.ToArray<float>());
    }
}
