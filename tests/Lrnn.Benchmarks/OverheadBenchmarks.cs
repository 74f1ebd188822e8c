using BenchmarkDotNet.Attributes;
using Lrnn.Torch;
using Lrnn.Benchmarks.Native;

namespace Lrnn.Benchmarks;

/// <summary>
/// Per-op cost of small ops through the binding, next to the same ops looped in C++ (the native floor, no ABI
/// crossing). The difference is what the binding adds above libtorch; scripts/bench-overhead.sh sets it beside
/// PyTorch's own overhead. One intra-op thread everywhere, as in the Python script, so the figures measure
/// dispatch and bookkeeping rather than thread hand-offs.
/// </summary>
[MemoryDiagnoser]
public class OverheadBenchmarks
{
    // Iterations of one native-floor call: long enough that the single P/Invoke around the loop vanishes.
    private const int FloorIterations = 256;

    private Tensor _a = null!;
    private Tensor _b = null!;
    private long _liveTensorsAtStart;

    [ParamsAllValues]
    public BenchWorkload Workload { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        (_a, _b) = BenchWorkloads.Inputs(Workload);
        _liveTensorsAtStart = torch.LiveTensorCount;
    }

    /// <summary>One workload through the public API; every tensor it makes is disposed before returning.</summary>
    [Benchmark]
    public bool Lrnn()
    {
        using var result = BenchWorkloads.Run(Workload, _a, _b);
        return result.IsDisposed;
    }

    /// <summary>The same, with every result also registered in a dispose scope (the idiom of a training step).</summary>
    [Benchmark]
    public bool LrnnInScope()
    {
        using var scope = torch.NewDisposeScope();
        return BenchWorkloads.Run(Workload, _a, _b).IsDisposed;
    }

    /// <summary>The same workload looped inside libtorch; reported per iteration of that loop.</summary>
    [Benchmark(OperationsPerInvoke = FloorIterations)]
    public double NativeFloor() =>
        NativeFloorLibrary.Loop(Workload, _a, _b, FloorIterations);

    [GlobalCleanup]
    public void Cleanup()
    {
        var liveTensorsAtEnd = torch.LiveTensorCount;
        // A stable prefix that scripts/bench-overhead.sh looks for.
        Console.WriteLine($"// live native tensors ({Workload}): before={_liveTensorsAtStart} after={liveTensorsAtEnd}");
        _a.Dispose();
        _b.Dispose();
        if (liveTensorsAtEnd != _liveTensorsAtStart)
            throw new InvalidOperationException(
                $"The benchmarks leaked native tensors: {_liveTensorsAtStart} alive before, {liveTensorsAtEnd} after.");
    }
}
