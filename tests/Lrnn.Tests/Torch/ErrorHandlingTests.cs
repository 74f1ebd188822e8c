using Lrnn.Torch;
using Lrnn.Torch.Native;
using Xunit;

namespace Lrnn.Tests.Torch;

/// <summary>Every kind of native failure becomes a typed .NET exception and the process keeps working.</summary>
public class ErrorHandlingTests
{
    [Fact]
    public void ShapeMismatchBecomesTorchExceptionWithoutBacktrace()
    {
        using var a = torch.ones(2, 3);
        using var b = torch.ones(4, 5);
        // (matmul would be explained by a C#-side ArgumentException; broadcasting errors come straight from libtorch.)
        var e = Assert.Throws<TorchException>(() => a.add(b));
        Assert.Contains("size of tensor a (3) must match the size of tensor b (5)", e.Message);
        Assert.DoesNotContain("Exception raised from", e.Message); // the C++ backtrace is stripped
        using var c = a + a; // still alive
        Assert.Equal(new[] { 2f, 2, 2, 2, 2, 2 }, c.ToArray<float>());
    }

    [Theory]
    [InlineData(0, typeof(TorchException), "test c10::Error")]
    [InlineData(1, typeof(TorchException), "test std::runtime_error")]
    [InlineData(2, typeof(TorchException), "unknown native exception")]
    [InlineData(3, typeof(TorchOutOfMemoryException), "bad_alloc")]
    [InlineData(4, typeof(TorchIndexException), "test IndexError")]
    public void EveryNativeExceptionKindIsCaught(int kind, Type expected, string message)
    {
        NativeLibraryLoader.EnsureLoaded();
        var ptr = NativeMethods.lrnn_test_throw(kind);
        Assert.Equal(IntPtr.Zero, ptr);
        var e = NativeErrors.Last();
        Assert.IsType(expected, e);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void IndexOutOfRangeIsTyped()
    {
        using var a = torch.ones(2, 3);
        Assert.Throws<TorchIndexException>(() => a.transpose(0, 5));
    }

    [Fact]
    public void WrongElementTypeIsRejectedOnTheManagedSide()
    {
        using var a = torch.ones(2);
        var e = Assert.Throws<ArgumentException>(() => a.ToArray<double>());
        Assert.Contains("Float32", e.Message);
    }

    [Fact]
    public void UsingADisposedTensorThrowsObjectDisposed()
    {
        var a = torch.ones(2);
        a.Dispose();
        a.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => a.shape);
        Assert.Equal("Tensor(disposed)", a.ToString());
    }

    [Fact]
    public void ErrorMessageDoesNotLeakBetweenCalls()
    {
        using var a = torch.ones(2, 3);
        using var b = torch.ones(4, 5);
        Assert.ThrowsAny<TorchException>(() => a + b); // a native failure: shapes do not broadcast
        using var ok = a.view(3, 2); // a successful call after a failure reports no stale error
        Assert.Equal(new long[] { 3, 2 }, ok.shape);
    }
}
