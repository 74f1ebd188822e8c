using Lrnn.Tests.Support;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Lrnn.Tests.Torch;

/// <summary>torch.profiler: a Chrome trace of the ops run between start and stop, and its misuse.</summary>
public class ProfilerTests
{
    private static JArray Events(string path) => (JArray)JObject.Parse(File.ReadAllText(path))["traceEvents"]!;

    private static string TempTrace() => Path.Combine(Path.GetTempPath(), $"lrnn-trace-{Guid.NewGuid():N}.json");

    private static void RequireKineto()
    {
        if (!torch.profiler.is_available()) Assert.Skip("This libtorch has no Kineto (Debian's); WithoutKinetoTheStartIsRefusedWithTheReason covers it.");
    }

    [Fact]
    public void WithoutKinetoTheStartIsRefusedWithTheReason()
    {
        if (torch.profiler.is_available()) Assert.Skip("This libtorch has Kineto; the other profiler tests cover it.");
        var e = Assert.Throws<TorchNotImplementedException>(() => torch.profiler.profile());
        Assert.Contains("without Kineto", e.Message);
    }

    [Fact]
    public void TheTraceNamesTheOpsRunWhileRecordingAndNoneAfter()
    {
        RequireKineto();
        var path = TempTrace();
        try
        {
            using var a = torch.randn([64, 64]);
            using (var prof = torch.profiler.profile())
            {
                Assert.True(prof.IsRunning);
                using (var c = a.matmul(a)) { }
                prof.stop();
                Assert.False(prof.IsRunning);
                using (var d = a.sigmoid()) { }        // after stop: not in the trace
                prof.export_chrome_trace(path);
            }
            var names = Events(path).Select(e => (string?)e["name"]).ToHashSet();
            Assert.Contains("aten::matmul", names);
            Assert.DoesNotContain("aten::sigmoid", names);
            Assert.False(File.Exists(path + ".partial"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [CudaFact]
    public void WithCudaTheTraceHasTheKernelsTheGpuRan()
    {
        RequireKineto();
        var path = TempTrace();
        try
        {
            using var a = torch.randn([256, 256], device: Device.CUDA());
            using (var prof = torch.profiler.profile(cuda: true))
            {
                using (var c = a.matmul(a)) { }
                torch.cuda.synchronize();
                prof.stop();
                prof.export_chrome_trace(path);
            }
            var kernels = Events(path).Where(e => (string?)e["cat"] == "kernel").ToList();
            Assert.NotEmpty(kernels);
            Assert.All(kernels, k => Assert.True((double)k["dur"]! >= 0));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MisuseIsRejectedWithAReason()
    {
        RequireKineto();
        using (var prof = torch.profiler.profile())
        {
            Assert.Throws<InvalidOperationException>(() => prof.export_chrome_trace(TempTrace()));   // still running
            var second = Assert.Throws<InvalidOperationException>(() => torch.profiler.profile());   // one at a time
            Assert.Contains("already running", second.Message);
            prof.stop();
            prof.stop();                                                                               // idempotent
            Assert.ThrowsAny<IOException>(() => prof.export_chrome_trace("/nonexistent-dir/trace.json"));
        }
        // Disposed without a stop: the profiler is stopped, so a new one starts.
        torch.profiler.profile().Dispose();
        using var again = torch.profiler.profile();
        again.stop();
        again.Dispose();
        Assert.Throws<ObjectDisposedException>(() => again.export_chrome_trace(TempTrace()));
    }
}
