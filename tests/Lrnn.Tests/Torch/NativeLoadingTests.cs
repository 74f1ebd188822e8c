using Lrnn.Ops;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

public class NativeLoadingTests
{
    [Fact]
    public void InfoReportsTheLibtorchBuild()
    {
        var info = torch.Info;
        Assert.Matches(@"^\d+\.\d+\.\d+$", info.LibtorchVersion);
        Assert.False(string.IsNullOrEmpty(info.LibtorchSource));
        Assert.True(File.Exists(info.NativeLibraryPath), info.NativeLibraryPath);
        Assert.Equal(info.CudaAvailable, info.CudaDeviceCount > 0);   // two independent native queries agree
        if (!info.BuiltWithCuda) Assert.False(info.CudaAvailable);
        if (!info.BuiltWithCuda) Assert.False(ops.CudaKernels);
    }

    [Fact]
    public void SearchOrderStartsWithTheEnvironmentVariable()
    {
        var previous = Environment.GetEnvironmentVariable("LRNN_NATIVE");
        try
        {
            Environment.SetEnvironmentVariable("LRNN_NATIVE", "/nonexistent/dir");
            var paths = Lrnn.Torch.Native.NativeLibraryLoader.CandidatePaths();
            Assert.Equal("/nonexistent/dir", paths[0]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LRNN_NATIVE", previous);
        }
    }
}
