using System.Diagnostics;
using System.Globalization;
using Lrnn.Config;
using Lrnn.Models;
using Lrnn.Torch;
using Lrnn.Torch.Optim;
using Newtonsoft.Json.Linq;

namespace Lrnn.Benchmarks;

/// <summary>
/// Soak run (issue 21), not a unit test: many decode steps, then many training steps, of a small hybrid model (LRU,
/// RG-LRU, attention, MLP) on the CPU, sampling the resident set size (RSS) and libtorch's live tensor count. After a
/// warm-up (the first 20% of each phase: allocator pools, caches and JIT settle), the least-squares slope of each
/// series must stay under a stated bound, else the run fails (exit code 1):
/// <list type="bullet">
/// <item>decode: RSS ≤ 64 bytes/step (6.4 MB over 100,000 steps), live tensors ≤ 0.0001/step (none leaked);</item>
/// <item>training: RSS ≤ 8 KB/step (8 MB over 1,000 steps), live tensors ≤ 0.001/step.</item>
/// </list>
/// <c>Lrnn.Benchmarks soak [decode-steps=100000] [train-steps=1000]</c>.
/// </summary>
public static class Soak
{
    private const double DecodeRssBytesPerStep = 64, DecodeTensorsPerStep = 1e-4;
    private const double TrainRssBytesPerStep = 8192, TrainTensorsPerStep = 1e-3;

    public static int Run(string[] args)
    {
        var decodeSteps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var trainSteps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000;
        torch.manual_seed(0);
        var config = new LrnnConfig
        {
            DModel = 64, DState = 16, NLayer = 3, VocabSize = 256, DIntermediate = 128, MixerTypes = ["LRU", "RGLRU", "attn"],
            MixerKwargs = JObject.Parse("""{ "attn": { "num_heads": 4, "causal": true } }"""),
        }.Validate();
        using var model = new LrnnLMHeadModel(config);
        var ok = Decode(model, decodeSteps);
        ok &= Train(model, trainSteps);
        Console.WriteLine(ok ? "soak: PASS" : "soak: FAIL");
        return ok ? 0 : 1;
    }

    private static bool Decode(LrnnLMHeadModel model, int steps)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        using var cache = model.AllocateInferenceCache(batch: 1, maxSeqLen: 512);
        var next = torch.zeros([1, 1], ScalarType.Int64);
        var samples = new List<(double Step, double Rss, double Tensors)>();
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            if (cache.Position == cache.MaxSeqLen) cache.Reset();
            using (var scope = torch.NewDisposeScope())
            {
                var logits = model.Step(next, cache);                 // (1, 1, V)
                var chosen = logits.argmax(-1);                       // (1, 1)
                next.Dispose();
                next = scope.MoveToOuter(chosen);
            }
            if (step % Math.Max(1, steps / 200) == 0) samples.Add(Sample(step));
        }
        next.Dispose();
        return Judge("decode", steps, clock.Elapsed, samples, DecodeRssBytesPerStep, DecodeTensorsPerStep);
    }

    private static bool Train(LrnnLMHeadModel model, int steps)
    {
        model.train();
        using var optimizer = new AdamW(model.parameters(), lr: 1e-3);
        var samples = new List<(double Step, double Rss, double Tensors)>();
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            using (torch.NewDisposeScope())
            {
                var ids = torch.randint(0, 256, [4, 65]);
                var inputs = ids.narrow(1, 0, 64);
                var labels = ids.narrow(1, 1, 64);
                using var output = model.Forward(inputs, labels);
                output.Loss.backward();
                optimizer.step();
                optimizer.zero_grad();
            }
            if (step % Math.Max(1, steps / 100) == 0) samples.Add(Sample(step));
        }
        return Judge("training", steps, clock.Elapsed, samples, TrainRssBytesPerStep, TrainTensorsPerStep);
    }

    /// <summary>RSS and live tensors after a full collection, so the managed heap's saw-tooth (garbage not yet
    /// collected) and tensors awaiting their finalizer do not read as growth.</summary>
    private static (double, double, double) Sample(int step)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        return (step, self.WorkingSet64, torch.LiveTensorCount);
    }

    private static bool Judge(string phase, int steps, TimeSpan elapsed, List<(double Step, double Rss, double Tensors)> samples,
        double rssBound, double tensorBound)
    {
        var settled = samples.Where(s => s.Step >= 0.2 * steps).ToList();
        var rssSlope = Slope(settled.Select(s => (s.Step, s.Rss)));
        var tensorSlope = Slope(settled.Select(s => (s.Step, s.Tensors)));
        var ok = rssSlope <= rssBound && tensorSlope <= tensorBound;
        Console.WriteLine(
            $"{phase}: {steps} steps in {elapsed.TotalSeconds:F1} s; RSS {samples[0].Rss / 1e6:F1} → {samples[^1].Rss / 1e6:F1} MB, " +
            $"slope after warm-up {rssSlope:F2} B/step (bound {rssBound}); live tensors {samples[0].Tensors} → {samples[^1].Tensors}, " +
            $"slope {tensorSlope:G3}/step (bound {tensorBound}) — {(ok ? "ok" : "FAIL")}");
        return ok;
    }

    /// <summary>Least-squares slope of y over x.</summary>
    private static double Slope(IEnumerable<(double X, double Y)> points)
    {
        var p = points.ToList();
        if (p.Count < 2) return 0;
        double mx = p.Average(q => q.X), my = p.Average(q => q.Y);
        var sxx = p.Sum(q => (q.X - mx) * (q.X - mx));
        return sxx == 0 ? 0 : p.Sum(q => (q.X - mx) * (q.Y - my)) / sxx;
    }
}
