using System.Diagnostics;
using Lrnn.Config;
using Lrnn.Models;
using Lrnn.Modules;
using Lrnn.Modules.Lti;
using Lrnn.Modules.Mixers;
using Lrnn.Torch;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Lrnn.Benchmarks;

/// <summary>
/// Lrnn's side of the side-by-side benchmark with lrnnx (scripts/bench-peer.sh runs both and prints the ratios): the
/// grid of lrnnx's own layer benchmark and two language models' training steps, one JSON object per line in the
/// fields lrnnx's side prints ({"side": "lrnn", "what": ..., "ms": ...}). Timing as lrnnx's benchmarks: warm-up runs,
/// then the mean of timed runs, each closed by a device synchronize.
///
///   layer_train: one mixer's forward+backward of y.sum() at lrnnx's paper sizes (d_model 128, d_state 16, B = 32;
///                L = 256, 1024, 2048): S5 (zoh), LRU, Mamba;
///   lm_train / lm_train_bf16: a whole LM's training step (forward, cross-entropy, backward) at B = 8, L = 1024, in
///                float32 and under bfloat16 autocast (float32 weights), with the peak allocated memory and the model
///                FLOPs utilisation 6·params·tokens/time against the bf16 matmul rate measured here (matmul_bf16);
///                mamba24 (24 Mamba layers, d_model 768, vocab 50277) and hybrid12 ((Mamba, LRU, S5, attn) × 3 with a
///                2048 MLP).
///
/// Usage: Lrnn.Benchmarks peer [layers] [lm] [mamba24] [hybrid12] [S5] [LRU] [Mamba] [--quick] [--device cuda]
/// (no part named: all of them; a mixer name limits layers to it), or
/// Lrnn.Benchmarks peer profile MIXER L [TRACE]: a Kineto trace of a few layer_train steps of that point of the grid,
/// summarised per step (each kernel's GPU time, busy time and span; ForwardTimeline.Summarise).
/// </summary>
public static class PeerGrid
{
    private static readonly string[] Mixers = ["S5", "LRU", "Mamba"];

    public static int Run(string[] args)
    {
        if (args.Length >= 3 && args[0] == "profile") return Profile(args[1], long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
            args.Length > 3 ? args[3] : $"peer-{args[1]}-{args[2]}.json");
        var quick = args.Contains("--quick");
        var deviceIndex = Array.IndexOf(args, "--device");
        Device device = deviceIndex >= 0 && deviceIndex + 1 < args.Length ? args[deviceIndex + 1] : "cuda";
        var parts = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (deviceIndex < 0 || i != deviceIndex + 1)).ToHashSet();
        bool Want(string part) => parts.Count == 0 || parts.Contains(part);
        var (warm, runs) = quick ? (1, 2) : (5, 20);

        var mixers = Mixers.Where(parts.Contains).ToArray();
        if (Want("layers") || mixers.Length > 0)
            foreach (var name in mixers.Length > 0 ? mixers : Mixers)
                LayerTrain(name, device, quick, warm, runs);

        double? bf16Rate = null;
        foreach (var model in new[] { "mamba24", "hybrid12" })
        {
            if (!Want("lm") && !Want(model)) continue;
            bf16Rate ??= MatmulRate(device, quick);
            foreach (var autocast in new[] { false, true })
                LmTrain(model, device, autocast, quick, warm, quick ? 2 : 10, bf16Rate.Value);
        }
        return 0;
    }

    private static void Emit(object row)
    {
        var line = new JObject { ["side"] = "lrnn" };
        line.Merge(JObject.FromObject(row));
        Console.WriteLine(line.ToString(Formatting.None));
    }

    private static double Time(Device device, Action body, int warm, int runs)
    {
        for (var i = 0; i < warm; i++)
        {
            body();
            Synchronize(device);
        }
        var total = 0.0;
        for (var i = 0; i < runs; i++)
        {
            Synchronize(device);
            var clock = Stopwatch.StartNew();
            body();
            Synchronize(device);
            total += clock.Elapsed.TotalMilliseconds;
        }
        return total / runs;
    }

    private static void Synchronize(Device device)
    {
        if (device.Type == DeviceType.CUDA) torch.cuda.synchronize();
    }

    private static Mixer MakeMixer(string name, long dModel, Device device) => name switch
    {
        "S5" => new S5(dModel, 16, DiscretizationMethod.Zoh, device: device),
        "LRU" => new Lru(dModel, 16, device: device),
        "Mamba" => new Mamba(dModel, dState: 16, device: device),
        _ => throw new ArgumentException($"peer: unknown mixer {name}"),
    };

    private static void LayerTrain(string name, Device device, bool quick, int warm, int runs)
    {
        const long H = 128, B = 32;
        torch.manual_seed(0);
        using var mixer = MakeMixer(name, H, device);
        mixer.train();
        foreach (var length in quick ? [64L] : new[] { 256L, 1024L, 2048L })
        {
            using var x = torch.randn([B, length, H], device: device);
            var ms = Time(device, () =>
            {
                using var scope = torch.NewDisposeScope();
                var input = x.clone().requires_grad_();
                mixer.Forward(input, MixerContext.None).sum().backward();
            }, warm, runs);
            mixer.zero_grad();
            Emit(new { what = "layer_train", mixer = name, L = length, ms });
        }
    }

    private static int Profile(string name, long length, string tracePath)
    {
        const long H = 128, B = 32;
        const int Steps = 3;
        Device device = "cuda";
        if (!torch.profiler.is_available())
        {
            Console.WriteLine("peer profile: no Kineto in this libtorch");
            return 1;
        }
        torch.manual_seed(0);
        using var mixer = MakeMixer(name, H, device);
        mixer.train();
        using var x = torch.randn([B, length, H], device: device);
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            mixer.Forward(x.clone().requires_grad_(), MixerContext.None).sum().backward();
            Synchronize(device);
        }
        for (var i = 0; i < 3; i++) Step();
        using (var prof = torch.profiler.profile(cuda: true))
        {
            for (var i = 0; i < Steps; i++) Step();
            prof.stop();
            prof.export_chrome_trace(tracePath);
        }
        Lti.ForwardTimeline.Summarise($"{name} layer_train L={length}: ", tracePath, Steps);
        return 0;
    }

    private static LrnnConfig ModelConfig(string model) => model switch
    {
        "mamba24" => new LrnnConfig
        {
            DModel = 768, DState = 16, NLayer = 24, VocabSize = 50277, MixerTypes = Enumerable.Repeat("Mamba", 24).ToArray(),
            DIntermediate = 0,
        },
        "hybrid12" => new LrnnConfig
        {
            DModel = 768, DState = 16, NLayer = 12, VocabSize = 50277, DIntermediate = 2048,
            MixerTypes = Enumerable.Range(0, 3).SelectMany(_ => new[] { "Mamba", "LRU", "S5", "attn" }).ToArray(),
            MixerKwargs = JObject.Parse("""{"S5": {"discretization": "zoh"}, "attn": {"num_heads": 12, "causal": true}}"""),
        },
        _ => throw new ArgumentException($"peer: unknown model {model}"),
    };

    private static void LmTrain(string model, Device device, bool autocast, bool quick, int warm, int runs, double bf16Rate)
    {
        torch.manual_seed(0);
        using var lm = new LrnnLMHeadModel(ModelConfig(model), device: device);
        lm.train();
        var (batch, length) = quick ? (2L, 64L) : (8L, 1024L);
        using var ids = torch.randint(0, 50277, [batch, length + 1], device: device);
        using var input = ids.narrow(1, 0, length).contiguous();
        using var labels = ids.narrow(1, 1, length).contiguous();
        if (device.Type == DeviceType.CUDA) torch.cuda.reset_peak_memory_stats();
        var ms = Time(device, () =>
        {
            using var scope = torch.NewDisposeScope();
            using (autocast ? torch.autocast(ScalarType.BFloat16, device.Type) : null)
            {
                using var output = lm.Forward(input, labels);
                output.Loss.backward();
            }
            foreach (var p in lm.parameters()) p.grad = null;
        }, warm, runs);
        var peak = device.Type == DeviceType.CUDA ? torch.cuda.max_memory_allocated() / 1048576.0 : 0;
        var tokensPerSecond = batch * length / ms * 1000;
        var mfu = 6.0 * lm.parameter_count() * tokensPerSecond / bf16Rate;
        Emit(new
        {
            what = autocast ? "lm_train_bf16" : "lm_train", model, B = batch, L = length, ms, tokens_per_s = tokensPerSecond,
            peak_mib = peak, parameters = lm.parameter_count(), mfu_vs_bf16_matmul = mfu,
        });
    }

    /// <summary>The dense bf16 matmul rate of this device (FLOP/s), measured: the denominator of the MFU.</summary>
    private static double MatmulRate(Device device, bool quick)
    {
        var n = quick ? 1024L : 8192L;
        using var a = torch.randn([n, n], dtype: ScalarType.BFloat16, device: device);
        using var b = torch.randn([n, n], dtype: ScalarType.BFloat16, device: device);
        var ms = Time(device, () =>
        {
            using var c = a.matmul(b);
        }, 3, quick ? 2 : 20);
        var rate = 2.0 * n * n * n / (ms / 1000);
        Emit(new { what = "matmul_bf16", n, ms, tflops = rate / 1e12 });
        return rate;
    }
}
