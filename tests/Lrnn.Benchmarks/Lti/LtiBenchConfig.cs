using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Lrnn.Benchmarks.Lti;

/// <summary>
/// The job of the LTI benchmarks: Monitoring (no pilot stage, one call per iteration; these cases take milliseconds to
/// seconds), in process, with the ratio columns that carry issue 4's numbers.
/// </summary>
public class LtiBenchConfig : ManualConfig
{
    public LtiBenchConfig(int warmups, int iterations, params LtiRatioColumn[] columns)
    {
        AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(warmups).WithIterationCount(iterations)
            .WithToolchain(InProcessEmitToolchain.Instance));
        AddColumn(columns);
    }
}
