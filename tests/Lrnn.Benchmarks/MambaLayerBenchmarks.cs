using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Lrnn.Modules;
using Lrnn.Modules.Mixers;
using Lrnn.Torch;

namespace Lrnn.Benchmarks;

/// <summary>
/// One Mamba mixer's forward+backward (the gradients of x and of every parameter, as in a training step) at lrnnx's
/// defaults, d_model=768, expand 2, d_state 16, d_conv 4: the Lrnn side of <c>scripts/bench-mamba.sh</c>, whose
/// PyTorch side is <c>scripts/bench_mamba_eager.py</c> (the same math in eager PyTorch, scan as a Python loop).
///
/// Env: <c>LRNN_MAMBA_B</c>, <c>LRNN_MAMBA_L</c> (default 2 × 256; the GPU run uses 8 × 2048) and
/// <c>LRNN_BENCH_DEVICE</c> = cpu (default) | cuda. Besides BenchmarkDotNet's table, <see cref="Cleanup"/> prints the
/// median of the timed calls as <c>lrnn_mamba_fwd_bwd_ms=&lt;value&gt;</c>, the line the script reads: the
/// in-process short job's statistics are not reachable from the benchmark itself.
/// </summary>
public class MambaLayerBenchmarks
{
    private const long DModel = 768;

    private Device _device = "cpu";
    private Mamba _mamba = null!;
    private Tensor _x = null!;            // (B, L, D), requires grad
    private Tensor _gradOutput = null!;   // (B, L, D)
    private readonly List<double> _milliseconds = [];

    private static long FromEnvironment(string name, long fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? long.Parse(value, CultureInfo.InvariantCulture) : fallback;

    [GlobalSetup]
    public void Setup()
    {
        _device = Environment.GetEnvironmentVariable("LRNN_BENCH_DEVICE") is { Length: > 0 } d ? d : "cpu";
        long[] shape = [FromEnvironment("LRNN_MAMBA_B", 2), FromEnvironment("LRNN_MAMBA_L", 256), DModel];
        torch.manual_seed(0);
        _mamba = new Mamba(DModel, dState: 16, dConv: 4, expand: 2, device: _device);
        using (var x = torch.randn(shape, device: _device)) _x = x.detach().requires_grad_();
        _gradOutput = torch.randn(shape, device: _device);
        Synchronize();
    }

    [Benchmark]
    public void ForwardBackward()
    {
        var clock = Stopwatch.StartNew();
        _mamba.zero_grad();
        _x.grad = null;
        using (var y = _mamba.Forward(_x, MixerContext.None))   // (B, L, D)
            y.backward(_gradOutput);
        Synchronize();
        _milliseconds.Add(clock.Elapsed.TotalMilliseconds);
    }

    private void Synchronize()
    {
        if (_device.Type == DeviceType.CUDA) torch.cuda.synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _mamba.zero_grad();
        _x.grad = null;
        _x.Dispose();
        _gradOutput.Dispose();
        _mamba.Dispose();
        // The median of every call, warm-up included: robust to the few slow first calls.
        var sorted = _milliseconds.Order().ToArray();
        if (sorted.Length > 0)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lrnn_mamba_fwd_bwd_ms={sorted[sorted.Length / 2]:F3}"));
    }
}
