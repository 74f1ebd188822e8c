using Lrnn.Torch;

namespace Lrnn.Benchmarks;

/// <summary>
/// The small workloads whose per-op cost the overhead benchmarks compare. The numeric values are the
/// <c>workload</c> argument of the native floor (Native/native_floor.cpp), and the names are the
/// keys of scripts/bench_pytorch_overhead.py: the three implementations must stay the same computation.
/// </summary>
public enum BenchWorkload
{
    /// <summary>a + b on two 16-element float32 vectors.</summary>
    Add16 = 0,

    /// <summary>a @ b on two 64×64 float32 matrices.</summary>
    Matmul64 = 1,

    /// <summary>Ten elementwise ops (tensor and scalar add/sub/mul/div, neg, exp) on 16 elements.</summary>
    Chain16 = 2,
}

/// <summary>Inputs and the C# implementation of each <see cref="BenchWorkload"/>.</summary>
public static class BenchWorkloads
{
    /// <summary>
    /// The two inputs: a[k] = 0.1·(k mod 7), b[k] = 1 + 0.1·(k mod 5), float32, so b has no zeros and exp stays
    /// far from overflow. The Python script builds the same values.
    /// </summary>
    public static (Tensor A, Tensor B) Inputs(BenchWorkload workload)
    {
        long[] shape = workload == BenchWorkload.Matmul64 ? [64, 64] : [16];
        var n = (int)shape.Aggregate(1L, (p, d) => p * d);
        var a = new float[n];
        var b = new float[n];
        for (var k = 0; k < n; k++)
        {
            a[k] = 0.1f * (k % 7);
            b[k] = 1f + 0.1f * (k % 5);
        }
        return (torch.tensor(a, shape), torch.tensor(b, shape));
    }

    /// <summary>Runs the workload once; the caller owns (and disposes) the result.</summary>
    public static Tensor Run(BenchWorkload workload, Tensor a, Tensor b) => workload switch
    {
        BenchWorkload.Add16 => a.add(b),
        BenchWorkload.Matmul64 => a.matmul(b),
        BenchWorkload.Chain16 => Chain(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(workload), workload, null),
    };

    // The same ten ops, in the same order, as chain() in Native/native_floor.cpp; each intermediate is freed at the end of
    // the method, like the native loop frees it on reassignment.
    private static Tensor Chain(Tensor a, Tensor b)
    {
        using var t1 = a + b;
        using var t2 = t1 * b;
        using var t3 = t2 - a;
        using var t4 = t3 / b;
        using var t5 = t4 + 1.0;
        using var t6 = t5 * 0.5;
        using var t7 = t6 - 0.25;
        using var t8 = t7 / 2.0;
        using var t9 = -t8;
        return t9.exp();
    }
}
