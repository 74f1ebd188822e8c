using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// bench.cpp
internal static unsafe partial class NativeMethods
{
    /// <summary>Mean nanoseconds per iteration of a benchmark workload looped in C++ (negative on error).</summary>
    [LibraryImport(Lib)] internal static partial double lrnn_bench_loop(int workload, TensorHandle a, TensorHandle b, long iters);
}
