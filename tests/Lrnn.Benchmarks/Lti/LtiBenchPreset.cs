namespace Lrnn.Benchmarks.Lti;

/// <summary>
/// One problem size of the LTI mixer benchmarks: x is (<see cref="Batch"/>, <see cref="Length"/>,
/// <see cref="DModel"/>) float32 and every mixer has d_state = <see cref="DState"/>. The token-by-token baseline
/// runs <see cref="SequentialLength"/> tokens (≤ L, when L steps would take too long); its time is scaled by
/// L / <see cref="SequentialLength"/> before it is compared (the recurrence costs the same per token).
/// </summary>
public sealed record LtiBenchPreset(string Name, long Batch, long Length, long DModel, long DState, long SequentialLength)
{
    /// <summary>Runs in a few minutes on 2 shared CPU cores.</summary>
    public static readonly LtiBenchPreset Cpu = new("cpu", Batch: 4, Length: 1024, DModel: 256, DState: 64, SequentialLength: 256);

    /// <summary>Issue 4's size for every mixer.</summary>
    public static readonly LtiBenchPreset Gpu = new("gpu", Batch: 8, Length: 2048, DModel: 768, DState: 64, SequentialLength: 2048);

    /// <summary>Issue 4's size for the S4D target: forward within 15× of the memory-copy floor.</summary>
    public static readonly LtiBenchPreset GpuWide = new("gpu-wide", Batch: 8, Length: 2048, DModel: 1536, DState: 64, SequentialLength: 2048);

    private static readonly LtiBenchPreset[] s_all = [Cpu, Gpu, GpuWide];

    /// <summary>Elements of x (and of the mixer's output).</summary>
    public long Elements => Batch * Length * DModel;

    public static LtiBenchPreset Named(string name) =>
        s_all.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown LTI benchmark preset '{name}' (known: {string.Join(", ", s_all.Select(p => p.Name))})");

    /// <summary>
    /// The presets selected by env <c>LRNN_BENCH_PRESET</c>: unset or <c>cpu</c> gives the CPU preset, <c>gpu-all</c> both GPU
    /// sizes; any other value names one preset (<c>gpu</c>, <c>gpu-wide</c>).
    /// </summary>
    public static IEnumerable<LtiBenchPreset> FromEnvironment() =>
        Environment.GetEnvironmentVariable("LRNN_BENCH_PRESET") switch
        {
            null or "" or "cpu" => [Cpu],
            "gpu-all" => [Gpu, GpuWide],
            var name => [Named(name)],
        };
}
