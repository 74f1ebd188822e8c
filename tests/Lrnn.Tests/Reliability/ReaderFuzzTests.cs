using System.Text;
using Lrnn.Checkpoints;
using Lrnn.Config;
using Lrnn.Models;
using Lrnn.SafeTensors;
using Lrnn.Tests.SafeTensors;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using Xunit;

namespace Lrnn.Tests.Reliability;

/// <summary>
/// Mutated inputs through the readers (issue 21): every one must load or fail with the reader's typed exception, never
/// another (InvalidOperationException, OverflowException, ...). Seeded and bounded, so CI runs the same cases each time;
/// <c>LRNN_FUZZ_CASES</c> multiplies the count for a longer run.
/// </summary>
public sealed class ReaderFuzzTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static int Cases(int ciCases) =>
        ciCases * (int.TryParse(Environment.GetEnvironmentVariable("LRNN_FUZZ_CASES_MULTIPLIER"), out var m) && m > 0 ? m : 1);

    /// <summary>Valid headers of 32 data bytes each: metadata with a tie, every dtype, a zero-element and a rank-0
    /// tensor, a name beyond the BMP, trailing padding.</summary>
    private static readonly string[] s_headers =
    [
        """{"__metadata__":{"format":"pt","lm_head.weight":"emb"},"emb":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"I64","shape":[1],"data_offsets":[24,32]}}""",
        """{"a":{"dtype":"BF16","shape":[0,4],"data_offsets":[0,0]},"z":{"dtype":"U8","shape":[],"data_offsets":[0,1]},"\ud83d\ude00":{"dtype":"F16","shape":[2],"data_offsets":[1,5]},"p":{"dtype":"U8","shape":[27],"data_offsets":[5,32]}}""",
        """{"x":{"dtype":"C64","shape":[1,1],"data_offsets":[0,8]},"y":{"dtype":"BOOL","shape":[3],"data_offsets":[8,11]},"p":{"dtype":"I8","shape":[21],"data_offsets":[11,32]}}   """,
    ];

    private void OpenAndLoad(string path, byte[] file)
    {
        File.WriteAllBytes(path, file);
        using (var opened = SafeTensorsFile.Open(path)) _ = opened.Tensors.Sum(t => t.Data.Length);
        SafeTensorsCheckpoint.Load(path).Dispose();
    }

    [Fact]
    public void SafeTensorsReaderThrowsOnlyTypedExceptionsOnMutatedFiles()
    {
        var path = _folder.File("fuzz.safetensors");
        var seeds = s_headers.Select(h => TempFolder.SafeTensorsBytes(h, new byte[32])).ToList();
        foreach (var seed in seeds) OpenAndLoad(path, seed); // the seeds are valid
        var failures = FuzzRunner.Run(seed: 21, cases: Cases(1000), seeds, input => OpenAndLoad(path, input), typeof(SafeTensorsException));
        Assert.True(failures.Count == 0, $"{failures.Count} untyped exceptions:\n" + string.Join("\n", failures.Take(5)));
    }

    [Fact]
    public void SafeTensorsReaderThrowsOnlyTypedExceptionsOnMutatedHeaders()
    {
        // The header alone is mutated and the length prefix kept right, so every case reaches the JSON and layout rules.
        var path = _folder.File("fuzz.safetensors");
        var seeds = s_headers.Select(Encoding.UTF8.GetBytes).ToList();
        var failures = FuzzRunner.Run(seed: 22, cases: Cases(1500), seeds,
            header => OpenAndLoad(path, [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[32]]), typeof(SafeTensorsException));
        Assert.True(failures.Count == 0, $"{failures.Count} untyped exceptions:\n" + string.Join("\n", failures.Take(5)));
    }

    [Fact]
    public void SafeTensorsIndexThrowsOnlyTypedExceptions()
    {
        var path = _folder.File(SafeTensorsIndex.DefaultFileName);
        var seeds = new[]
        {
            """{"metadata":{"total_size":24},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}""",
            """{"weight_map":{"\ud83d\ude00":"x.safetensors"},"metadata":{"total_size":1.2e3}}""",
        }.Select(Encoding.UTF8.GetBytes).ToList();
        var failures = FuzzRunner.Run(seed: 17, cases: Cases(800), seeds, input =>
        {
            File.WriteAllBytes(path, input);
            SafeTensorsIndex.Load(path);
        }, typeof(SafeTensorsException));
        Assert.True(failures.Count == 0, $"{failures.Count} untyped exceptions:\n" + string.Join("\n", failures.Take(5)));
    }

    private const string ConfigSeed = """
        {
            "d_model": 16, "d_state": 4, "n_layer": 2, "vocab_size": 50, "mixer_types": ["LRU", "attn"],
            "d_intermediate": 32, "norm_epsilon": 1e-05, "rms_norm": true, "fused_add_norm": true,
            "residual_in_fp32": true, "tie_embeddings": false, "pad_vocab_size_multiple": 8,
            "mixer_kwargs": {"attn": {"num_heads": 2, "causal": true}},
            "initializer_cfg": {"initializer_range": 0.02, "rescale_prenorm_residual": true},
            "lm_head": {"name": "default", "bias": false}
        }
        """;

    [Fact]
    public void ConfigJsonThrowsOnlyConfigExceptions()
    {
        Assert.Equal(16, LrnnConfig.FromJson(ConfigSeed).DModel);
        var seeds = new[] { Encoding.UTF8.GetBytes(ConfigSeed) };
        var failures = FuzzRunner.Run(seed: 6, cases: Cases(1500), seeds,
            input => LrnnConfig.FromJson(Encoding.UTF8.GetString(input), "config.json"), typeof(LrnnConfigException));
        Assert.True(failures.Count == 0, $"{failures.Count} untyped exceptions:\n" + string.Join("\n", failures.Take(5)));
    }

    [Fact]
    public void FromPretrainedThrowsOnlyTypedExceptions()
    {
        var checkpoint = _folder.File("model");
        using (var model = new LrnnLMHeadModel(new LrnnConfig { DModel = 8, DState = 2, NLayer = 1, VocabSize = 16, MixerTypes = ["LRU"] }.Validate()))
            model.SavePretrained(checkpoint);
        var weights = Path.Combine(checkpoint, SafeTensorsCheckpoint.SingleFileName);
        var seeds = new[] { File.ReadAllBytes(weights) };
        var failures = FuzzRunner.Run(seed: 3, cases: Cases(300), seeds, input =>
        {
            File.WriteAllBytes(weights, input);
            LrnnLMHeadModel.FromPretrained(checkpoint).Dispose();
        }, typeof(SafeTensorsException), typeof(StateDictMismatchException), typeof(LrnnConfigException));
        Assert.True(failures.Count == 0, $"{failures.Count} untyped exceptions:\n" + string.Join("\n", failures.Take(5)));
    }
}
