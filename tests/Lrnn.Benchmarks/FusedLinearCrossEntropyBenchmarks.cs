using BenchmarkDotNet.Attributes;
using Lrnn.Ops;
using Lrnn.Torch;

namespace Lrnn.Benchmarks;

/// <summary>
/// Forward + backward of the LM loss: <c>fused_linear</c> (never holds the (N, V) logits) against <c>default</c>
/// (materialised logits, CE in float32), in the same run. Sizes come from the environment so the GPU run uses the
/// issue's N = 8192, H = 2048, V = 128256:
/// <code>LRNN_FLCE_N=8192 LRNN_FLCE_H=2048 LRNN_FLCE_V=128256 LRNN_FLCE_DEVICE=cuda LRNN_FLCE_DTYPE=BFloat16 \
///   dotnet run -c Release --project tests/Lrnn.Benchmarks -- --filter '*FusedLinearCrossEntropy*'</code>
/// The CPU defaults are small (N = 1024, H = 256, V = 8192). On CUDA each iteration also records the peak device
/// memory above the inputs (printed at the end, per implementation); the targets are fused ≤ 1/8 of default's peak
/// and ≤ 1.15× its time.
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
public class FusedLinearCrossEntropyBenchmarks
{
    private static long Env(string name, long fallback) =>
        long.TryParse(Environment.GetEnvironmentVariable(name), out var v) ? v : fallback;

    private Tensor _hidden = null!;
    private Tensor _weight = null!;
    private Tensor _labels = null!;
    private Device _device = Device.CPU;
    private long _peakBytes;

    [Params("default", "fused_linear")]
    public string Implementation { get; set; } = "default";

    [GlobalSetup]
    public void Setup()
    {
        long n = Env("LRNN_FLCE_N", 1024), h = Env("LRNN_FLCE_H", 256), v = Env("LRNN_FLCE_V", 8192);
        _device = Environment.GetEnvironmentVariable("LRNN_FLCE_DEVICE") ?? "cpu";
        var dtype = Enum.Parse<ScalarType>(Environment.GetEnvironmentVariable("LRNN_FLCE_DTYPE") ?? nameof(ScalarType.Float32));
        using (var hidden = torch.randn([n, h], dtype: dtype, device: _device)) _hidden = hidden.mul(0.5).requires_grad_();
        using (var weight = torch.randn([v, h], dtype: dtype, device: _device)) _weight = weight.mul(1 / Math.Sqrt(h)).requires_grad_();
        _labels = torch.randint(0, v, [n], device: _device);
    }

    [Benchmark]
    public double ForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        var baseline = _device.Type == DeviceType.CUDA ? torch.cuda.memory_allocated(_device.Index) : 0;
        if (_device.Type == DeviceType.CUDA) torch.cuda.reset_peak_memory_stats(_device.Index);
        Tensor loss;
        if (Implementation == "fused_linear")
        {
            var (nll, _) = ops.fused_linear_cross_entropy(_hidden, _weight, _labels);
            loss = nll.mean();
        }
        else
        {
            var logits = torch.nn.functional.linear(_hidden, _weight).to(ScalarType.Float32);
            loss = torch.nn.functional.cross_entropy(logits, _labels);
        }
        loss.backward();
        if (_device.Type == DeviceType.CUDA)
        {
            torch.cuda.synchronize(_device.Index);
            _peakBytes = Math.Max(_peakBytes, torch.cuda.max_memory_allocated(_device.Index) - baseline);
        }
        _hidden.grad?.zero_();
        _weight.grad?.zero_();
        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_device.Type == DeviceType.CUDA)
            Console.WriteLine($"// {Implementation}: peak device memory of forward+backward above the inputs = {_peakBytes / (1024.0 * 1024):F1} MiB");
        _hidden.Dispose();
        _weight.Dispose();
        _labels.Dispose();
    }
}
