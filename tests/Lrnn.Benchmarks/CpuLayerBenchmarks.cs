using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Lrnn.Benchmarks.Lti;
using Lrnn.Config;
using Lrnn.Modules;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;

namespace Lrnn.Benchmarks;

/// <summary>
/// The CPU path's regression guard (issue 16), layers: S5, LRU and Mamba forward+backward at lrnnx's grid shape
/// (d_model 128, d_state 16, batch 32, L = 64 and 256), float32 on the CPU. <see cref="CpuMainJobBenchmarks"/> has
/// the main job's step and the BLAS rate. Run both:
/// <code>dotnet run -c Release --project tests/Lrnn.Benchmarks -- --filter '*Cpu*Benchmarks*'</code>
/// Besides BenchmarkDotNet's table, each case prints the median of its timed calls as
/// <c>cpu_layer_fwd_bwd_ms[Mixer,L]=</c>.
/// </summary>
[Config(typeof(Configuration))]
public class CpuLayerBenchmarks
{
    private const long DModel = 128, DState = 16, Batch = 32;

    private sealed class Configuration() : LtiBenchConfig(warmups: 2, iterations: 10);

    private Mixer _mixer = null!;
    private Tensor _x = null!, _gradOutput = null!;
    private readonly List<double> _milliseconds = [];

    [Params("S5", "LRU", "Mamba")]
    public string Mixer { get; set; } = "";

    [Params(64, 256)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.manual_seed(0);
        var config = new LrnnConfig
        {
            DModel = DModel, DState = DState, NLayer = 1, VocabSize = 8, MixerTypes = [Mixer],
            MixerKwargs = new JObject { ["S5"] = new JObject { ["discretization"] = "zoh" } },
        }.Validate();
        _mixer = MixerRegistry.Create(config, 0, ScalarType.Float32, Device.CPU);
        long[] shape = [Batch, Length, DModel];
        using (var x = torch.randn(shape)) _x = x.detach().requires_grad_();
        _gradOutput = torch.randn(shape);
    }

    /// <summary>One layer's forward and backward (input and parameter gradients), as in a training step.</summary>
    [Benchmark]
    public void ForwardBackward()
    {
        var clock = Stopwatch.StartNew();
        _mixer.zero_grad();
        _x.grad = null;
        using (var y = _mixer.Forward(_x, MixerContext.None)) y.backward(_gradOutput);
        _milliseconds.Add(clock.Elapsed.TotalMilliseconds);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        CpuBenchReport.Print($"cpu_layer_fwd_bwd_ms[{Mixer},{Length}]", CpuBenchReport.Median(_milliseconds));
        _mixer.zero_grad();
        _x.grad = null;
        _x.Dispose();
        _gradOutput.Dispose();
        _mixer.Dispose();
    }
}
