using BenchmarkDotNet.Attributes;
using Lrnn.Benchmarks.Lti;
using Lrnn.Modules;
using Lrnn.Torch;

namespace Lrnn.Benchmarks;

/// <summary>
/// Issue 4's LTI benchmarks: each mixer's parallel Forward and Forward+backward, its own token-by-token recurrence
/// (<see cref="SequentialReference"/>), and the memory-copy floor of the same bytes, per size preset and device.
/// Env <c>LRNN_BENCH_PRESET</c> (cpu | gpu-all | a preset name) and <c>LRNN_BENCH_DEVICE</c> (cpu | cuda) choose them, so
/// the published executable runs on the GPU machine with a filter:
/// <code>LRNN_BENCH_PRESET=gpu-all LRNN_BENCH_DEVICE=cuda Lrnn.Benchmarks --filter '*LtiMixer*'</code> (LRNN_BENCH_MIXERS=S4D,LRU selects mixers;
/// LRNN_BENCH_TF32=1 or both adds TF32 float32 matmuls to the strict float32 default)
/// Every method synchronizes CUDA before returning, so a mean is the time of the work, not of its launch. The
/// summary's "× floor" and "sequential ÷ this" columns (<see cref="LtiRatioColumn"/>) are the reported ratios.
/// </summary>
[Config(typeof(Configuration))]
public class LtiMixerBenchmarks
{
    // Copies per CopyFloor call: one copy of a few MB is shorter than a synchronize on the GPU.
    private const int CopiesPerFloor = 16;

    private sealed class Configuration() : LtiBenchConfig(warmups: 2, iterations: 10, LtiRatioColumn.OverCopyFloor, LtiRatioColumn.SequentialOverThis);

    private LtiBenchPreset _preset = null!;
    private Device _device;
    private Mixer _mixer = null!;
    private Tensor _x = null!;            // (B, L, D)
    private Tensor _xGrad = null!;        // (B, L, D), requires grad
    private Tensor _gradOutput = null!;   // (B, L, D)
    private Tensor _copy = null!;         // (B, L, D)
    private long _liveTensorsAtStart;

    [ParamsSource(nameof(MixerNames))]
    public string Mixer { get; set; } = "";

    [ParamsSource(nameof(PresetNames))]
    public string Preset { get; set; } = "";

    [ParamsSource(nameof(DeviceNames))]
    public string Device { get; set; } = "";

    /// <summary>"fp32": strict float32 matmuls (PyTorch's default); "tf32": <c>torch.backends.cuda.matmul.allow_tf32</c>.</summary>
    [ParamsSource(nameof(MatmulNames))]
    public string Matmul { get; set; } = "";

    /// <summary>Every LTI mixer, or the comma-separated list in env <c>LRNN_BENCH_MIXERS</c>.</summary>
    public static IEnumerable<string> MixerNames =>
        Environment.GetEnvironmentVariable("LRNN_BENCH_MIXERS") is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : LtiMixers.Names;
    public static IEnumerable<string> PresetNames => LtiBenchPreset.FromEnvironment().Select(p => p.Name);
    public static IEnumerable<string> DeviceNames => [Environment.GetEnvironmentVariable("LRNN_BENCH_DEVICE") is { Length: > 0 } d ? d : "cpu"];

    /// <summary>Env <c>LRNN_BENCH_TF32</c>: unset "fp32", "1" "tf32", "both" one row of each.</summary>
    public static IEnumerable<string> MatmulNames => Environment.GetEnvironmentVariable("LRNN_BENCH_TF32") switch
    {
        null or "" or "0" => ["fp32"],
        "1" => ["tf32"],
        "both" => ["fp32", "tf32"],
        var other => throw new ArgumentException($"LRNN_BENCH_TF32 must be 0, 1 or both, got \"{other}\""),
    };

    [GlobalSetup]
    public void Setup()
    {
        _preset = LtiBenchPreset.Named(Preset);
        _device = Lrnn.Torch.Device.Parse(Device);
        torch.backends.cuda.matmul.allow_tf32 = Matmul == "tf32";
        _liveTensorsAtStart = torch.LiveTensorCount;
        // Eval mode, as inference runs: S4 and S4D then reuse their kernel across Forward calls (S4Block.CacheKernel;
        // S4DForwardPartsBenchmarks.ForwardGeneratingKernel measures it regenerated). With dropout 0, the default, eval
        // changes nothing else, and ForwardBackward (gradients on) never uses the cache.
        _mixer = LtiMixers.Create(Mixer, _preset, _device);
        _mixer.eval();
        long[] shape = [_preset.Batch, _preset.Length, _preset.DModel];
        _x = torch.randn(shape, dtype: ScalarType.Float32, device: _device);
        _xGrad = _x.detach().requires_grad_();
        _gradOutput = torch.randn(shape, dtype: ScalarType.Float32, device: _device);
        _copy = torch.empty(shape, ScalarType.Float32, _device);
    }

    /// <summary>The parallel path (FFT convolution), inference.</summary>
    [Benchmark]
    public bool Forward()
    {
        using (torch.no_grad())
        using (var y = _mixer.Forward(_x, MixerContext.None))
        {
            Synchronize();
            return y.IsDisposed;
        }
    }

    /// <summary>The parallel path with the gradients of x and of every parameter, as in a training step.</summary>
    [Benchmark]
    public bool ForwardBackward()
    {
        _mixer.zero_grad();
        _xGrad.grad = null;
        using (var y = _mixer.Forward(_xGrad, MixerContext.None))
        {
            y.backward(_gradOutput);
            Synchronize();
            return y.IsDisposed;
        }
    }

    /// <summary>The mixer's own recurrence, one Step per token over <see cref="LtiBenchPreset.SequentialLength"/> tokens.</summary>
    [Benchmark]
    public bool Sequential()
    {
        using var y = SequentialReference.Run(_mixer, _x, _preset.SequentialLength);
        Synchronize();
        return y.IsDisposed;
    }

    /// <summary>
    /// The memory-copy floor: <c>copy_</c> of x into a tensor of its shape reads and writes the bytes a mixer must at
    /// least read (its input) and write (its output).
    /// </summary>
    [Benchmark(OperationsPerInvoke = CopiesPerFloor)]
    public bool CopyFloor()
    {
        for (var i = 0; i < CopiesPerFloor; i++) _copy.copy_(_x);
        Synchronize();
        return _copy.IsDisposed;
    }

    private void Synchronize()
    {
        if (_device.Type == DeviceType.CUDA) torch.cuda.synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _mixer.zero_grad();
        foreach (var t in new[] { _x, _xGrad, _gradOutput, _copy }) t.Dispose();
        _mixer.Dispose();
        torch.backends.cuda.matmul.allow_tf32 = false;
        var liveTensorsAtEnd = torch.LiveTensorCount;
        Console.WriteLine($"// live native tensors ({Mixer}, {Preset}, {Device}): before={_liveTensorsAtStart} after={liveTensorsAtEnd}");
        if (liveTensorsAtEnd != _liveTensorsAtStart)
            throw new InvalidOperationException(
                $"The LTI benchmarks leaked native tensors: {_liveTensorsAtStart} alive before, {liveTensorsAtEnd} after.");
    }
}
