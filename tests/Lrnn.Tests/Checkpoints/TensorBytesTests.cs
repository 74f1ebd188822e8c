using System.Runtime.InteropServices;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Checkpoints;

public class TensorBytesTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void FromBytesAndToBytesRoundTrip(string dev)
    {
        Device device = dev;
        double[] values = [1.5, -2.25, Math.PI, 1e-300, -0.0, 42];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        using var t = torch.from_bytes(bytes, ScalarType.Float64, [3, 2], device);
        Assert.Equal(device.Type, t.device.Type);
        Assert.Equal(new long[] { 3, 2 }, t.shape);
        Assert.Equal(48, t.nbytes);
        Assert.Equal(values, t.ToArray<double>());
        Assert.Equal(bytes, t.ToBytes());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ToBytesIsRowMajorWhateverTheStrides(string dev)
    {
        using var t = torch.tensor(new int[] { 1, 2, 3, 4, 5, 6 }, [2, 3], (Device)dev);
        using var transposed = t.transpose(0, 1); // (3, 2), not contiguous
        Assert.False(transposed.is_contiguous());
        var expected = MemoryMarshal.AsBytes(new int[] { 1, 4, 2, 5, 3, 6 }.AsSpan()).ToArray();
        Assert.Equal(expected, transposed.ToBytes());
        var destination = new byte[24];
        transposed.CopyBytesTo(destination);
        Assert.Equal(expected, destination);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void HandlesScalarsAndEmptyTensors(string dev)
    {
        Device device = dev;
        using var scalar = torch.from_bytes(BitConverter.GetBytes((short)-3), ScalarType.Int16, [], device);
        Assert.Equal(0, scalar.dim());
        Assert.Equal(-3L, scalar.item<long>());
        using var empty = torch.from_bytes([], ScalarType.Float32, [4, 0], device);
        Assert.Equal(new long[] { 4, 0 }, empty.shape);
        Assert.Empty(empty.ToBytes());
    }

    [Fact]
    public void RejectsSizeMismatches()
    {
        var e = Assert.Throws<ArgumentException>(() => torch.from_bytes(new byte[7], ScalarType.Float32, [2]));
        Assert.Contains("needs 8 bytes but the data has 7", e.Message);
        Assert.Throws<ArgumentException>(() => torch.from_bytes(new byte[0], ScalarType.Float32, [-1, 0]));
        using var t = torch.zeros(3);
        e = Assert.Throws<ArgumentException>(() => t.CopyBytesTo(new byte[11]));
        Assert.Contains("has 12 bytes but the destination has 11", e.Message);
    }
}
