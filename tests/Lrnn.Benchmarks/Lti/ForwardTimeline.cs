using System.Diagnostics;
using Lrnn.Modules;
using Lrnn.Modules.Lti;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;

namespace Lrnn.Benchmarks.Lti;

/// <summary>
/// Where one LTI mixer's forward (no grad) spends its time on a GPU, beside the BenchmarkDotNet numbers:
/// <list type="bullet">
/// <item>latency: the host time to issue one forward (Forward returns) and to finish it (a synchronize after it), the
/// case of BenchmarkDotNet's Monitoring job;</item>
/// <item>throughput: back-to-back forwards with one synchronize at the end, the case of its pilot-stage job;</item>
/// <item>a Kineto trace of a few synchronised forwards (torch.profiler), saved as a Chrome trace and summarised per
/// forward: each kernel's time, the GPU's busy time, and the span from the first kernel to the last.</item>
/// </list>
/// S4 and S4D are measured twice: generating their kernel in every call (as a training forward does), and with the
/// kernel cached across inference forwards (<see cref="S4Block.CacheKernel"/>, the default).
/// <code>LRNN_BENCH_PRESET=gpu-wide LRNN_BENCH_DEVICE=cuda LRNN_BENCH_TF32=1 Lrnn.Benchmarks timeline S4D [trace.json]</code>
/// </summary>
public static class ForwardTimeline
{
    private const int Warmups = 10;
    private const int Calls = 30;
    private const int ProfiledCalls = 5;

    public static int Run(string[] args)
    {
        var mixerName = args.Length > 0 ? args[0] : "S4D";
        var tracePath = args.Length > 1 ? args[1] : $"timeline-{mixerName}.json";
        var preset = LtiBenchPreset.FromEnvironment().First();
        var device = Device.Parse(LtiMixerBenchmarks.DeviceNames.First());
        torch.backends.cuda.matmul.allow_tf32 = LtiMixerBenchmarks.MatmulNames.Last() == "tf32";
        Console.WriteLine($"timeline: {mixerName} at {preset}, {device}, TF32 {torch.backends.cuda.matmul.allow_tf32}");
        Console.WriteLine(torch.Info);

        using var mixer = LtiMixers.Create(mixerName, preset, device);
        mixer.eval();
        using var x = torch.randn([preset.Batch, preset.Length, preset.DModel], dtype: ScalarType.Float32, device: device);
        using var copy = torch.empty_like(x);
        var sync = () => { if (device.Type == DeviceType.CUDA) torch.cuda.synchronize(); };
        void Forward()
        {
            using (torch.no_grad())
            using (mixer.Forward(x, MixerContext.None)) { }
        }

        // S4 and S4D reuse their kernel across inference forwards (S4Block.CacheKernel): measure both ways.
        var settings = mixer is S4Block ? new[] { false, true } : new[] { true };
        foreach (var cacheKernel in settings)
        {
            if (mixer is S4Block block) block.CacheKernel = cacheKernel;
            var label = mixer is S4Block ? (cacheKernel ? "[cached kernel] " : "[kernel generated each call] ") : "";
            for (var i = 0; i < Warmups; ++i) Forward();
            sync();

            // The copy floor, as LtiMixerBenchmarks.CopyFloor measures it.
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < Calls; ++i) copy.copy_(x);
            sync();
            var floorUs = watch.Elapsed.TotalMicroseconds / Calls;

            var issue = new double[Calls];
            var latency = new double[Calls];
            for (var i = 0; i < Calls; ++i)
            {
                watch.Restart();
                Forward();
                issue[i] = watch.Elapsed.TotalMicroseconds;
                sync();
                latency[i] = watch.Elapsed.TotalMicroseconds;
            }
            watch.Restart();
            for (var i = 0; i < Calls; ++i) Forward();
            sync();
            var throughputUs = watch.Elapsed.TotalMicroseconds / Calls;

            Console.WriteLine($"timeline: {label}copy floor {floorUs:F1} us");
            Console.WriteLine($"timeline: {label}issue (host, no sync) median {Median(issue):F0} us; latency (issue + sync) median {Median(latency):F0} us = {Median(latency) / floorUs:F1}x floor, min {latency.Min():F0} us");
            Console.WriteLine($"timeline: {label}throughput (back to back) {throughputUs:F0} us = {throughputUs / floorUs:F1}x floor");

            if (!torch.profiler.is_available())
            {
                Console.WriteLine("timeline: no Kineto in this libtorch, no trace");
                continue;
            }
            var path = cacheKernel ? tracePath : Path.ChangeExtension(tracePath, ".generated.json");
            using (var prof = torch.profiler.profile(cuda: device.Type == DeviceType.CUDA))
            {
                for (var i = 0; i < ProfiledCalls; ++i)
                {
                    Forward();
                    sync();
                }
                prof.stop();
                prof.export_chrome_trace(path);
            }
            Summarise(label, path, ProfiledCalls);
        }
        return 0;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>Per forward: GPU time by kernel name, busy time, and the GPU span (first start to last end) of the last
    /// forward (also PeerGrid's per training step).</summary>
    internal static void Summarise(string label, string tracePath, int calls)
    {
        var events = (JArray)JObject.Parse(File.ReadAllText(tracePath))["traceEvents"]!;
        var gpu = events.Where(e => (string?)e["cat"] is "kernel" or "gpu_memcpy" or "gpu_memset")
            .Select(e => (Name: (string)e["name"]!, Start: (double)e["ts"]!, Duration: (double)e["dur"]!))
            .OrderBy(e => e.Start).ToList();
        var launches = events.Count(e => (string?)e["cat"] == "cuda_runtime" && ((string?)e["name"])?.Contains("LaunchKernel") == true);
        var ops = events.Count(e => (string?)e["cat"] == "cpu_op");
        Console.WriteLine($"timeline: {label}trace {tracePath}: {gpu.Count / (double)calls:F1} GPU activities, {launches / (double)calls:F1} kernel launches, {ops / (double)calls:F1} ATen ops (all levels) per forward");
        if (gpu.Count == 0) return;   // a CPU run: no GPU activity to summarise
        Console.WriteLine($"timeline: {label}GPU busy {gpu.Sum(e => e.Duration) / calls:F1} us per forward");
        foreach (var group in gpu.GroupBy(e => e.Name).OrderByDescending(g => g.Sum(e => e.Duration)))
        {
            var name = group.Key.Length > 110 ? group.Key[..110] + "…" : group.Key;
            Console.WriteLine($"timeline:   {group.Sum(e => e.Duration) / calls,9:F1} us  {group.Count() / (double)calls,5:F1}x  {name}");
        }
        // The last forward on its own: its activities are those after the largest gap (the synchronize between calls).
        var lastStart = gpu.Count - 1;
        while (lastStart > 0 && gpu[lastStart].Start - (gpu[lastStart - 1].Start + gpu[lastStart - 1].Duration) < 200) --lastStart;
        var last = gpu.Skip(lastStart).ToList();
        var span = last[^1].Start + last[^1].Duration - last[0].Start;
        Console.WriteLine($"timeline: {label}last forward: GPU span {span:F1} us, busy {last.Sum(e => e.Duration):F1} us, idle {span - last.Sum(e => e.Duration):F1} us within the span");
        var t0 = last[0].Start;
        foreach (var e in last)
        {
            var name = e.Name.Length > 90 ? e.Name[..90] + "…" : e.Name;
            Console.WriteLine($"timeline:     +{e.Start - t0,8:F1} {e.Duration,8:F1} us  {name}");
        }
    }
}
