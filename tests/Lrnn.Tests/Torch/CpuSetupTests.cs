using Lrnn.Torch;
using Lrnn.Torch.Native;
using Xunit;

namespace Lrnn.Tests.Torch;

/// <summary>
/// The CPU set-up the binding makes at load time and reports: intra-op threads (physical cores, or
/// LRNN_NUM_THREADS), the BLAS in use, and the start-up matrix-product check.
/// </summary>
public class CpuSetupTests
{
    private const string TwoCoresFourThreads = """
        processor	: 0
        physical id	: 0
        core id		: 0

        processor	: 1
        physical id	: 0
        core id		: 1

        processor	: 2
        physical id	: 0
        core id		: 0

        processor	: 3
        physical id	: 0
        core id		: 1
        """;

    [Fact]
    public void PhysicalCoresCountDistinctPackageAndCorePairs()
    {
        Assert.Equal(2, IntraOpThreads.CountCores(TwoCoresFourThreads.Split('\n')));
        // Two sockets with the same core ids are four cores.
        var twoSockets = TwoCoresFourThreads + "\n\nprocessor\t: 4\nphysical id\t: 1\ncore id\t\t: 0\n\nprocessor\t: 5\nphysical id\t: 1\ncore id\t\t: 1\n";
        Assert.Equal(4, IntraOpThreads.CountCores(twoSockets.Split('\n')));
        Assert.Null(IntraOpThreads.CountCores(["processor\t: 0", "model name\t: some ARM core"]));
    }

    [Fact]
    public void TheLoaderAppliedTheDefaultThreadCount()
    {
        // The test process was started without LRNN_NUM_THREADS or with it: either way the loader applied Default().
        Assert.Equal(IntraOpThreads.Default(), torch.get_num_threads());
        Assert.Equal(torch.get_num_threads(), torch.Info.IntraOpThreads);
        Assert.InRange(IntraOpThreads.PhysicalCores(), 1, Environment.ProcessorCount);
    }

    [Fact]
    public void LrnnNumThreadsOverridesThePhysicalCores()
    {
        var before = Environment.GetEnvironmentVariable(IntraOpThreads.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(IntraOpThreads.EnvironmentVariable, "3");
            Assert.Equal(3, IntraOpThreads.Default());
            Environment.SetEnvironmentVariable(IntraOpThreads.EnvironmentVariable, null);
            Assert.Equal(IntraOpThreads.PhysicalCores(), IntraOpThreads.Default());
            Environment.SetEnvironmentVariable(IntraOpThreads.EnvironmentVariable, "lots");
            var e = Assert.Throws<ArgumentException>(() => IntraOpThreads.Default());
            Assert.Contains("LRNN_NUM_THREADS='lots'", e.Message);
            Environment.SetEnvironmentVariable(IntraOpThreads.EnvironmentVariable, "0");
            Assert.Throws<ArgumentException>(() => IntraOpThreads.Default());
        }
        finally
        {
            Environment.SetEnvironmentVariable(IntraOpThreads.EnvironmentVariable, before);
        }
    }

    /// <summary>libtorch keeps the count per thread; a count set on one thread must reach a thread that starts using
    /// libtorch afterwards (the loader relies on this: it sets the count once, on whichever thread loads the shim).</summary>
    [Fact]
    public void ASetThreadCountReachesThreadsStartedAfterIt()
    {
        var before = torch.get_num_threads();
        try
        {
            var wanted = before == 1 ? 2 : 1;
            torch.set_num_threads(wanted);
            var seen = 0;
            var thread = new Thread(() => seen = torch.get_num_threads());
            thread.Start();
            thread.Join();
            Assert.Equal(wanted, seen);
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    /// <summary>glibc took the loader's malloc settings (cpu_allocator.cpp): without them every training step re-faults
    /// its activations. Skipped only where the environment opted out.</summary>
    [Fact]
    public void TheLoaderTunedGlibcMalloc()
    {
        Assert.SkipWhen(Environment.GetEnvironmentVariable(NativeLibraryLoader.AllocatorTuningVariable) == "0", "LRNN_MALLOC_TUNING=0 opted out");
        NativeLibraryLoader.EnsureLoaded();
        Assert.True(NativeLibraryLoader.CpuAllocatorTuned);
    }

    [Fact]
    public void TorchInfoNamesTheBlasLibrary()
    {
        var info = torch.Info;
        Assert.False(string.IsNullOrWhiteSpace(info.Blas));
        Assert.NotEqual("unknown", info.Blas);
        Assert.Contains("BLAS: " + info.Blas, info.ToString());
    }

    [Theory]
    [InlineData("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3", "OpenBLAS")]
    [InlineData("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so", "OpenBLAS")]
    [InlineData("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0", "reference BLAS")]
    [InlineData("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3", "BLIS")]
    [InlineData("/opt/intel/lib/libmkl_rt.so.2", "MKL")]
    [InlineData("/usr/lib/x86_64-linux-gnu/liblapack.so.3", null)]
    [InlineData("/usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13", null)]
    public void BlasPathsAreClassified(string path, string? kind) => Assert.Equal(kind, BlasLibrary.Classify(path));

    [Fact]
    public void TheMatmulCheckMeasuresAPositiveRateAndWarnsOnlyWithAReason()
    {
        var report = CpuPerformance.Check(TimeSpan.FromMilliseconds(20));
        Assert.True(report.MatmulGflops > 0, $"rate {report.MatmulGflops}");
        Assert.Equal(torch.get_num_threads(), report.IntraOpThreads);
        var slow = report.MatmulGflops < CpuPerformance.WarningGflopsPerThread * report.IntraOpThreads;
        Assert.Equal(slow || BlasLibrary.IsReference(report.Blas), report.Warning is not null);
        if (report.Warning is not null)
            Assert.Contains(BlasLibrary.IsReference(report.Blas) ? "libopenblas0-pthread" : "LRNN_NUM_THREADS", report.Warning);
    }
}
