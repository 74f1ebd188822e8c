using System.Diagnostics;
using Lrnn.Torch.Native;

namespace Lrnn.Torch;

/// <summary>
/// A start-up check of the CPU path: which BLAS runs, with how many threads, and the float32 matrix-product rate it
/// gives. The rate catches what the names cannot (a reference BLAS behind an optimised name, one thread, a CPU
/// shared with other work); a rate far below what any BLAS-backed core reaches comes with a warning naming the fix.
/// </summary>
public static class CpuPerformance
{
    /// <summary>
    /// The rate below which a warning is given, per intra-op thread: an optimised BLAS gives 30–60 GFLOP/s per
    /// AVX2/AVX-512 core at 512² float32 (OpenBLAS: 103 GFLOP/s on two cores), the reference BLAS about 6 in all
    /// (it runs one thread).
    /// </summary>
    public const double WarningGflopsPerThread = 8;

    /// <summary>The float32 matrix-product rate on the CPU, in GFLOP/s: 512² products repeated for about
    /// <paramref name="budget"/> (0.1 s by default) after one warm-up product.</summary>
    public static double MeasureMatmulGflops(TimeSpan? budget = null, int size = 512)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var limit = budget ?? TimeSpan.FromSeconds(0.1);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var a = torch.randn([size, size]);
        var b = torch.randn([size, size]);
        torch.matmul(a, b).Dispose();
        var clock = Stopwatch.StartNew();
        var products = 0;
        do
        {
            torch.matmul(a, b).Dispose();
            products++;
        } while (clock.Elapsed < limit);
        return 2.0 * size * size * size * products / clock.Elapsed.TotalSeconds / 1e9;
    }

    /// <summary>Measures the rate and reports it with the BLAS and thread count; <see cref="CpuReport.Warning"/> is set
    /// when the BLAS is the reference one or the rate is below <see cref="WarningGflopsPerThread"/> per thread.</summary>
    public static CpuReport Check(TimeSpan? budget = null)
    {
        var blas = BlasLibrary.Describe();
        var threads = torch.get_num_threads();
        var gflops = MeasureMatmulGflops(budget);
        string? warning = null;
        if (BlasLibrary.IsReference(blas))
            warning = $"libtorch runs on the reference BLAS ({gflops:F1} GFLOP/s): CPU training is several times slower than it should be; {BlasLibrary.Fix}";
        else if (gflops < WarningGflopsPerThread * threads)
            warning = $"the CPU multiplies matrices at {gflops:F1} GFLOP/s with {threads} threads, far below what {blas} gives " +
                      $"(≥ {WarningGflopsPerThread * threads:F0}): other processes are probably using the CPU (see top); training " +
                      $"will be slow until they finish. Set {IntraOpThreads.EnvironmentVariable} to the cores this job may use";
        return new CpuReport(blas, threads, gflops, warning);
    }
}

/// <summary>The result of <see cref="CpuPerformance.Check"/>.</summary>
/// <param name="Blas">the BLAS in use (<see cref="TorchInfo.Blas"/>).</param>
/// <param name="IntraOpThreads">libtorch's intra-op threads.</param>
/// <param name="MatmulGflops">the measured 512² float32 matrix-product rate.</param>
/// <param name="Warning">what is wrong and how to fix it, or null.</param>
public sealed record CpuReport(string Blas, int IntraOpThreads, double MatmulGflops, string? Warning)
{
    public override string ToString() => $"BLAS: {Blas}; intra-op threads: {IntraOpThreads}; float32 matmul: {MatmulGflops:F1} GFLOP/s";
}
