using BenchmarkDotNet.Attributes;
using Lrnn.Ops;
using Lrnn.Torch;

namespace Lrnn.Benchmarks;

/// <summary>
/// The native scans (ops.linear_scan, ops.selective_scan) against the memory-copy floor of the same
/// bytes, measured in the same run (docs/scans.md). <see cref="CopyFloor"/> is the baseline, so BenchmarkDotNet's
/// Ratio column of the linear-scan rows is "times the floor": it copies 1.5 state-sized tensors, i.e. reads and
/// writes as many bytes as a scan that reads a and b once and writes h once. (The floor is sized for the linear scan:
/// ignore the Ratio column on the SelectiveScan rows.)
///
/// Sizes and device come from the environment so that one build serves the CPU runs here and the GPU runs:
/// <c>LRNN_BENCH_DEVICE</c> = cpu (default) | cuda, <c>LRNN_BENCH_SIZE</c> = small (default) | paper.
/// "paper" is the shape: linear scan (B=8, L=2048, D=1536) fp32, Mamba at d_model=768 (d_inner 1536,
/// N=16) with B=4, L=2048.
/// </summary>
public class ScanBenchmarks
{
    /// <summary>One problem size: the linear scan's (B, L, D) and the selective scan's (B, D, L, N).</summary>
    public sealed record ScanSize(string Name, long Batch, long Length, long Width, long MambaBatch, long MambaLength, long MambaWidth, long MambaState)
    {
        public override string ToString() => Name;
    }

    private static readonly ScanSize Small = new("small", 2, 512, 384, 1, 256, 384, 16);
    private static readonly ScanSize Paper = new("paper", 8, 2048, 1536, 4, 2048, 1536, 16);

    public static IEnumerable<ScanSize> Sizes() =>
        (Environment.GetEnvironmentVariable("LRNN_BENCH_SIZE") ?? "small") switch
        {
            "paper" => new[] { Paper },
            "all" => new[] { Small, Paper },
            _ => new[] { Small },
        };

    [ParamsSource(nameof(Sizes))]
    public ScanSize Size { get; set; } = Small;

    private Device _device = "cpu";
    private Tensor _a = null!, _b = null!, _gradH = null!, _copySource = null!, _copyTarget = null!;
    private Tensor _u = null!, _delta = null!, _A = null!, _B = null!, _C = null!, _D = null!, _z = null!, _deltaBias = null!, _gradY = null!;

    [GlobalSetup]
    public void Setup()
    {
        _device = Environment.GetEnvironmentVariable("LRNN_BENCH_DEVICE") ?? "cpu";
        torch.manual_seed(0);
        long[] shape = { Size.Batch, Size.Length, Size.Width };
        using (var scope = torch.NewDisposeScope())
        {
            // Decays in [0.9, 1), as RG-LRU's at initialisation.
            _a = (torch.rand(shape, device: _device) * 0.1 + 0.9).MoveToOuterDisposeScope();
            _b = torch.randn(shape, device: _device).MoveToOuterDisposeScope();
            _gradH = torch.randn(shape, device: _device).MoveToOuterDisposeScope();
            var floorElements = 3 * _a.numel() / 2;
            _copySource = torch.randn(new[] { floorElements }, device: _device).MoveToOuterDisposeScope();
            _copyTarget = torch.empty(new[] { floorElements }, device: _device).MoveToOuterDisposeScope();

            // Mamba's scan inputs at initialisation: A = −(1..N) per channel (S4D-real), Δ = softplus(δ + bias) ≈ 0.001–0.1.
            long b = Size.MambaBatch, d = Size.MambaWidth, l = Size.MambaLength, n = Size.MambaState;
            _u = torch.randn(new[] { b, d, l }, device: _device).MoveToOuterDisposeScope();
            _delta = (torch.randn(new[] { b, d, l }, device: _device) * 0.1).MoveToOuterDisposeScope();
            _A = (-torch.arange(1, n + 1, dtype: ScalarType.Float32, device: _device).unsqueeze(0).expand(d, n)).contiguous().MoveToOuterDisposeScope();
            _B = torch.randn(new[] { b, n, l }, device: _device).MoveToOuterDisposeScope();
            _C = torch.randn(new[] { b, n, l }, device: _device).MoveToOuterDisposeScope();
            _D = torch.ones(new[] { d }, device: _device).MoveToOuterDisposeScope();
            _z = torch.randn(new[] { b, d, l }, device: _device).MoveToOuterDisposeScope();
            _deltaBias = (torch.rand(new[] { d }, device: _device) * -4 - 3).MoveToOuterDisposeScope();  // softplus⁻¹ of 0.002..0.05
            _gradY = torch.randn(new[] { b, d, l }, device: _device).MoveToOuterDisposeScope();
        }
        Synchronize();
    }

    /// <summary>The floor: copy_ of as many bytes as the linear scan must move (a and b read, h written).</summary>
    [Benchmark(Baseline = true)]
    public void CopyFloor()
    {
        _copyTarget.copy_(_copySource);
        Synchronize();
    }

    [Benchmark]
    public void LinearScanForward()
    {
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad()) ops.linear_scan(_a, _b);
        Synchronize();
    }

    [Benchmark]
    public void LinearScanForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        var a = _a.detach().requires_grad_();
        var b = _b.detach().requires_grad_();
        var (h, _) = ops.linear_scan(a, b);
        h.backward(_gradH);
        Synchronize();
    }

    [Benchmark]
    public void SelectiveScanForward()
    {
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
            ops.selective_scan(_u, _delta, _A, _B, _C, _D, _z, _deltaBias, deltaSoftplus: true);
        Synchronize();
    }

    [Benchmark]
    public void SelectiveScanForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        var inputs = new[] { _u, _delta, _A, _B, _C, _D, _z, _deltaBias }.Select(t => t.detach().requires_grad_()).ToArray();
        var (y, _) = ops.selective_scan(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5], inputs[6], inputs[7],
            deltaSoftplus: true);
        y.backward(_gradY);
        Synchronize();
    }

    private void Synchronize()
    {
        if (_device.Type == DeviceType.CUDA) torch.cuda.synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _a, _b, _gradH, _copySource, _copyTarget, _u, _delta, _A, _B, _C, _D, _z, _deltaBias, _gradY })
            t.Dispose();
    }
}
