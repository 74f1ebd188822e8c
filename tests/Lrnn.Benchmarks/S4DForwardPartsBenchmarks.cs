using BenchmarkDotNet.Attributes;
using Lrnn.Benchmarks.Lti;
using Lrnn.Modules;
using Lrnn.Modules.Lti;
using Lrnn.Ops;
using Lrnn.Torch;
using static Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Benchmarks;

/// <summary>
/// Where issue 4's S4D forward (no grad, eval) spends its time, part by part, at the preset's size: the whole
/// <c>Forward</c> (its kernel cached across calls, <see cref="S4Block.CacheKernel"/>) and <c>ForwardGeneratingKernel</c>
/// (the kernel generated in each call, as in training); the <c>Convolution</c> with its two GELUs (<c>ops.fft_causal_conv</c> with a (1, H, L)
/// kernel, one hand-written kernel on CUDA); the <c>Projection</c>, output_linear and its GELU over the (B·L, H)
/// rows; and the <c>CopyFloor</c> of LtiMixerBenchmarks. What is left of Forward is the kernel generation and the
/// small ops around it. Same environment as <see cref="LtiMixerBenchmarks"/> (LRNN_BENCH_PRESET, LRNN_BENCH_DEVICE,
/// LRNN_BENCH_TF32); LRNN_CUDA_KERNELS=0 in the environment measures the convolution on libtorch's transforms:
/// <code>LRNN_BENCH_PRESET=gpu-wide LRNN_BENCH_DEVICE=cuda LRNN_BENCH_TF32=1 Lrnn.Benchmarks --filter '*S4DForwardParts*'</code>
/// </summary>
[Config(typeof(Configuration))]
public class S4DForwardPartsBenchmarks
{
    private const int CopiesPerFloor = 16;

    private sealed class Configuration() : LtiBenchConfig(warmups: 3, iterations: 20, LtiRatioColumn.OverCopyFloor);

    private Device _device;
    private Mixer _mixer = null!;
    private Tensor _x = null!;         // (B, L, H)
    private Tensor _kernel = null!;    // (1, H, L)
    private Tensor _weight = null!;    // (H, H)
    private Tensor _bias = null!;      // (H)
    private Tensor _copy = null!;      // (B, L, H)

    [ParamsSource(nameof(PresetNames))]
    public string Preset { get; set; } = "";

    [ParamsSource(nameof(DeviceNames))]
    public string Device { get; set; } = "";

    [ParamsSource(nameof(MatmulNames))]
    public string Matmul { get; set; } = "";

    public static IEnumerable<string> PresetNames => LtiMixerBenchmarks.PresetNames;
    public static IEnumerable<string> DeviceNames => LtiMixerBenchmarks.DeviceNames;
    public static IEnumerable<string> MatmulNames => LtiMixerBenchmarks.MatmulNames;

    [GlobalSetup]
    public void Setup()
    {
        var preset = LtiBenchPreset.Named(Preset);
        _device = Lrnn.Torch.Device.Parse(Device);
        torch.backends.cuda.matmul.allow_tf32 = Matmul == "tf32";
        _mixer = LtiMixers.Create("S4D", preset, _device);
        _mixer.eval();
        _x = torch.randn([preset.Batch, preset.Length, preset.DModel], dtype: ScalarType.Float32, device: _device);
        _kernel = torch.randn([1, preset.DModel, preset.Length], dtype: ScalarType.Float32, device: _device).mul_(0.02);
        _weight = torch.randn([preset.DModel, preset.DModel], dtype: ScalarType.Float32, device: _device).mul_(0.02);
        _bias = torch.zeros([preset.DModel], ScalarType.Float32, _device);
        _copy = torch.empty_like(_x);
    }

    [Benchmark]
    public bool Forward()
    {
        using (torch.no_grad())
        using (var y = _mixer.Forward(_x, MixerContext.None))
            return Synchronized(y);
    }

    /// <summary>Forward with the kernel generated in the call, as a training forward does (the cache off).</summary>
    [Benchmark]
    public bool ForwardGeneratingKernel()
    {
        var block = (S4Block)_mixer;
        block.CacheKernel = false;
        try
        {
            using (torch.no_grad())
            using (var y = _mixer.Forward(_x, MixerContext.None))
                return Synchronized(y);
        }
        finally
        {
            block.CacheKernel = true;
        }
    }

    [Benchmark]
    public bool Convolution()
    {
        using (torch.no_grad())
        using (var y = ops.fft_causal_conv(_x, _kernel, gelus: 2))
            return Synchronized(y);
    }

    [Benchmark]
    public bool Projection()
    {
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
            return Synchronized(gelu(linear(_x, _weight, _bias)));
    }

    [Benchmark(OperationsPerInvoke = CopiesPerFloor)]
    public bool CopyFloor()
    {
        for (var i = 0; i < CopiesPerFloor; i++) _copy.copy_(_x);
        return Synchronized(_copy);
    }

    private bool Synchronized(Tensor y)
    {
        if (_device.Type == DeviceType.CUDA) torch.cuda.synchronize();
        return y.IsDisposed;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _x, _kernel, _weight, _bias, _copy }) t.Dispose();
        _mixer.Dispose();
        torch.backends.cuda.matmul.allow_tf32 = false;
    }
}
