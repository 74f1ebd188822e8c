using Lrnn.Checkpoints;
using Lrnn.Config;
using Lrnn.Models;
using Lrnn.SafeTensors;
using Lrnn.Tests.SafeTensors;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Lrnn.Tests.PyTorchCheckpoints;

/// <summary>
/// Folders written by transformers (MambaForCausalLM, safetensors and .bin), in mamba_ssm's layout and in lrnnx's
/// layout (torch.save of a state dict), made by scripts/verify-torch-checkpoints.py with transformers 5.17 / torch 2.11
/// on CPU in float32 (torchref/): Lrnn must reproduce transformers' logits (≤ 1e-4) and greedy tokens.
/// </summary>
public sealed class ForeignCheckpointTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("torchref/hf-tied", CheckpointLayout.HuggingFaceMamba)]
    [InlineData("torchref/hf-tied-bin", CheckpointLayout.HuggingFaceMamba)]
    [InlineData("torchref/hf-untied-bias", CheckpointLayout.HuggingFaceMamba)]
    [InlineData("hf-tied-bin-sharded", CheckpointLayout.HuggingFaceMamba)]      // hf-tied-bin in two shards (make_sharded_bin.py)
    [InlineData("torchref/mamba-ssm", CheckpointLayout.MambaSsm)]
    [InlineData("torchref/lrnnx", CheckpointLayout.Lrnn)]
    // A hybrid in mamba_ssm's layout (attention at attn_layer_idx, GatedMLP, LayerNorm, tied head), written by
    // torch 1.13 from a random Lrnn model whose logits it records (make_mamba_ssm_hybrid.py).
    [InlineData("mamba-ssm-hybrid", CheckpointLayout.MambaSsm)]
    public void ReproducesTheReferenceLogitsAndGreedyTokens(string folder, CheckpointLayout layout)
    {
        var path = PyTorchFixtures.File(folder);
        Assert.Equal(layout, PretrainedFolder.DetectLayout(path));
        using var model = LrnnLMHeadModel.FromPretrained(path);
        AssertMatchesReference(model, JObject.Parse(File.ReadAllText(Path.Combine(path, "expected.json"))), folder);
    }

    [Fact]
    public void TheExportCheckedByTransformersReloadsWithTheLogitsItRecorded()
    {
        // lrnn-hf-export: examples/Convert --layout hf-mamba --random-init 2026 --record-logits ... of lrnn-random-mamba;
        // `scripts/verify-torch-checkpoints.py compare` loads it in transformers against lrnn-expected.json.
        var path = PyTorchFixtures.File("lrnn-hf-export");
        Assert.Equal(CheckpointLayout.HuggingFaceMamba, PretrainedFolder.DetectLayout(path));
        using var model = LrnnLMHeadModel.FromPretrained(path);
        AssertMatchesReference(model, JObject.Parse(File.ReadAllText(Path.Combine(path, "lrnn-expected.json"))), "lrnn-hf-export");
    }

    [Theory]
    [InlineData("../pytorch_model-00001-of-00002.bin", "is not a file name in the index's folder")]
    [InlineData("pytorch_model-00002-of-00002.bin", "lists tensors no shard holds: backbone.embeddings.weight")]
    public void ABadShardIndexIsRefused(string shard, string expected)
    {
        var source = PyTorchFixtures.File("hf-tied-bin-sharded");
        var index = JObject.Parse(File.ReadAllText(Path.Combine(source, PyTorchCheckpoint.IndexFileName)));
        index["weight_map"]!["backbone.embeddings.weight"] = shard;
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(_folder.Path, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(_folder.Path, PyTorchCheckpoint.IndexFileName), index.ToString());
        var e = Assert.Throws<Lrnn.PyTorchCheckpoints.PyTorchCheckpointException>(() => LrnnLMHeadModel.FromPretrained(_folder.Path));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TheTiedPytorchModelBinComesBackTied()
    {
        // mamba_ssm's state dict stores lm_head.weight and backbone.embedding.weight as one storage.
        using var checkpoint = PyTorchCheckpoint.Load(Path.Combine(PyTorchFixtures.Reference("mamba-ssm"), PyTorchCheckpoint.FileName));
        Assert.True(checkpoint.Tensors["lm_head.weight"].is_alias_of(checkpoint.Tensors["backbone.embedding.weight"]));
        Assert.False(checkpoint.Tensors["backbone.layers.0.mixer.D"].is_alias_of(checkpoint.Tensors["backbone.embedding.weight"]));
        Assert.Equal([56L, 16], checkpoint.Tensors["lm_head.weight"].shape);
    }

    [Fact]
    public void ViewsLoadAsContiguousTensorsAndTiesAsAliases()
    {
        using var checkpoint = PyTorchCheckpoint.Load(PyTorchFixtures.File("views.bin"), dtype: ScalarType.Float64);
        var t = checkpoint.Tensors;
        Assert.True(t["tied"].is_alias_of(t["base"]));
        Assert.False(t["transposed"].is_alias_of(t["base"]));
        Assert.True(t["transposed"].is_contiguous());
        Assert.Equal(ScalarType.Float64, t["slice"].dtype);
        using var expected = torch.arange(24, ScalarType.Float64).reshape(4, 6);
        using var transposed = expected.transpose(0, 1).contiguous();
        Assert.Equal(transposed.ToArray<double>(), t["transposed"].ToArray<double>());
        Assert.Equal(new double[] { 8, 9, 10, 14, 15, 16 }, t["slice"].ToArray<double>());
        Assert.Equal(new double[] { 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2 }, t["expanded"].ToArray<double>());
    }

    [Theory]
    [InlineData("hf-tied")]
    [InlineData("hf-untied-bias")]
    public void SavesInTransformersLayoutAndReloadsTheSameFunction(string folder)
    {
        var source = PyTorchFixtures.Reference(folder);
        using var model = LrnnLMHeadModel.FromPretrained(source);
        var target = Path.Combine(_folder.Path, folder);
        model.SavePretrained(target, layout: CheckpointLayout.HuggingFaceMamba);

        // config.json: transformers' fields with the values of the source folder's (which transformers wrote).
        var ours = JObject.Parse(File.ReadAllText(Path.Combine(target, LrnnConfig.FileName)));
        var theirs = JObject.Parse(File.ReadAllText(Path.Combine(source, LrnnConfig.FileName)));
        foreach (var field in new[] { "model_type", "vocab_size", "hidden_size", "state_size", "num_hidden_layers", "expand", "conv_kernel",
                     "intermediate_size", "time_step_rank", "use_bias", "use_conv_bias", "layer_norm_epsilon", "residual_in_fp32",
                     "tie_word_embeddings", "hidden_act" })
            Assert.True(JToken.DeepEquals(theirs[field], ours[field]), $"{field}: transformers wrote {theirs[field]}, Lrnn wrote {ours[field]}");

        // Keys: exactly those transformers saved.
        using (var mine = SafeTensorsFile.Open(Path.Combine(target, SafeTensorsCheckpoint.SingleFileName)))
        using (var reference = SafeTensorsFile.Open(Path.Combine(source, SafeTensorsCheckpoint.SingleFileName)))
            Assert.Equal(reference.Tensors.Select(v => v.Name).Order(), mine.Tensors.Select(v => v.Name).Order());

        using var reloaded = LrnnLMHeadModel.FromPretrained(target);
        AssertMatchesReference(reloaded, JObject.Parse(File.ReadAllText(Path.Combine(source, "expected.json"))), folder);
    }

    [Fact]
    public void MambaSsmConfigMapsAttentionLayersAndSsmCfg()
    {
        var json = JObject.Parse("""
            {"d_model": 64, "d_intermediate": 0, "n_layer": 4, "vocab_size": 100,
             "ssm_cfg": {"layer": "Mamba1", "d_state": 8, "d_conv": 3, "dt_rank": 5},
             "attn_layer_idx": [1, 3], "attn_cfg": {"num_heads": 4, "causal": true, "rotary_emb_dim": 8},
             "rms_norm": false, "residual_in_fp32": false, "fused_add_norm": false, "pad_vocab_size_multiple": 16, "tie_embeddings": false}
            """);
        var config = MambaSsmLayout.ToLrnnConfig(json, "config.json");
        Assert.Equal(["Mamba", "attn", "Mamba", "attn"], config.MixerTypes);
        Assert.Equal(8, config.DState);
        Assert.Equal(3, config.ArgumentsFor("Mamba").GetInt("d_conv"));
        Assert.Equal("5", config.ArgumentsFor("Mamba").GetString("dt_rank"));
        Assert.Equal(4, config.ArgumentsFor("attn").GetInt("num_heads"));
        Assert.Equal(8, config.ArgumentsFor("attn").GetInt("rotary_emb_dim"));
        Assert.False(config.RmsNorm);
        Assert.False(config.TieEmbeddings);
        Assert.Equal(112, config.PaddedVocabSize);
        using var model = new LrnnLMHeadModel(config);
        Assert.Contains("backbone.layers.1.mixer.in_proj.weight", model.state_dict().Keys);
    }

    [Theory]
    [InlineData("""{"d_model": 8, "n_layer": 1, "vocab_size": 10, "ssm_cfg": {"layer": "Mamba2"}}""", "Mamba-2 is not implemented")]
    [InlineData("""{"d_model": 8, "n_layer": 1, "vocab_size": 10, "ssm_cfgs": {}}""", "unknown mamba_ssm config field(s) ssm_cfgs")]
    [InlineData("""{"d_model": 8, "n_layer": 2, "vocab_size": 10, "attn_layer_idx": [2]}""", "attn_layer_idx has 2, outside 0..1")]
    [InlineData("""{"d_model": 8, "n_layer": 1, "vocab_size": 10, "ssm_cfg": {"d_conv": "four"}}""", "d_conv")]
    [InlineData("""{"n_layer": 1, "d_model": 8}""", "'vocab_size' is missing")]
    public void MambaSsmConfigProblemsAreNamed(string json, string expected)
    {
        var e = Assert.Throws<LrnnConfigException>(() => MambaSsmLayout.ToLrnnConfig(JObject.Parse(json), "config.json"));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("""{"model_type": "mamba", "hidden_size": 8, "num_hidden_layers": 1, "vocab_size": 10, "hidden_act": "gelu"}""", "hidden_act 'gelu'")]
    [InlineData("""{"model_type": "mamba", "hidden_size": 8, "num_hidden_layers": 1, "vocab_size": 10, "intermediate_size": 12}""", "not a multiple of hidden_size 8")]
    [InlineData("""{"model_type": "mamba2", "hidden_size": 8, "num_hidden_layers": 1, "vocab_size": 10}""", "model_type 'mamba2'")]
    public void TransformersConfigProblemsAreNamed(string json, string expected)
    {
        var e = Assert.Throws<LrnnConfigException>(() => HuggingFaceMambaLayout.ToLrnnConfig(JObject.Parse(json), "config.json"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AModelTransformersCannotExpressIsNotSavedInItsLayout()
    {
        var config = new LrnnConfig
        {
            DModel = 16, DState = 4, NLayer = 2, VocabSize = 20, MixerTypes = ["Mamba", "attn"], DIntermediate = 32,
            MixerKwargs = JObject.Parse("""{"attn": {"num_heads": 2}}"""),
        };
        using var model = new LrnnLMHeadModel(config);
        var target = Path.Combine(_folder.Path, "refused");
        var e = Assert.Throws<LrnnConfigException>(() => model.SavePretrained(target, layout: CheckpointLayout.HuggingFaceMamba));
        Assert.Contains("every layer must be Mamba", e.Message);
        Assert.Contains("d_intermediate must be 0", e.Message);
        Assert.False(Directory.Exists(target));
    }

    [Theory]
    [InlineData("""{"d_model": 16, "n_layer": 1, "vocab_size": 1000000000000}""")]
    [InlineData("""{"model_type": "mamba", "hidden_size": 16, "num_hidden_layers": 1, "vocab_size": 1000000000000, "intermediate_size": 32, "state_size": 4}""")]
    public void AForeignConfigTooLargeForThisMachineIsRefusedBeforeAllocating(string json)
    {
        var folder = Path.Combine(_folder.Path, "huge");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), json);
        var e = Assert.Throws<LrnnConfigException>(() => LrnnLMHeadModel.FromPretrained(folder));
        Assert.Contains("vocab_size", e.Message);
    }

    [Fact]
    public void AnEventModeMambaIsNotSavedInTransformersLayout()
    {
        // transformers has no weights for dtA_proj, which event mode adds.
        var config = new LrnnConfig
        {
            DModel = 16, DState = 4, NLayer = 1, VocabSize = 20, MixerTypes = ["Mamba"],
            MixerKwargs = JObject.Parse("""{"Mamba": {"event_mode": true}}"""),
        };
        using var model = new LrnnLMHeadModel(config);
        var target = Path.Combine(_folder.Path, "event-mode");
        var e = Assert.Throws<LrnnConfigException>(() => model.SavePretrained(target, layout: CheckpointLayout.HuggingFaceMamba));
        Assert.Contains("event mode", e.Message);
        Assert.False(Directory.Exists(target));
    }

    /// <summary>Logits within 1e-4 of the reference (every column, padded ones included) and the same 16 greedy tokens.</summary>
    private static void AssertMatchesReference(LrnnLMHeadModel model, JObject expected, string what)
    {
        var prompt = expected["input_ids"]![0]!.Select(v => (long)v).ToArray();
        var shape = expected["logits_shape"]!.Select(v => (long)v).ToArray();
        var vocab = (long)expected["vocab_size"]!;
        using (torch.no_grad())
        {
            using var ids = torch.tensor(prompt, [1, prompt.Length]);
            using var logits = model.Forward(ids);
            Assert.Equal(shape, logits.shape);
            Numerics.AssertClose(expected["logits"]!.Select(v => (double)v).ToArray(), logits.ToArray<float>().Select(v => (double)v).ToArray(),
                atol: 1e-4, what: $"{what} logits");

            var tokens = prompt.ToList();
            var greedy = new List<long>();
            foreach (var _ in expected["greedy_new_tokens"]!)
            {
                using var all = torch.tensor(tokens.ToArray(), [1, tokens.Count]);
                using var step = model.Forward(all, numLastTokens: 1);
                using var real = step.narrow(-1, 0, vocab);
                using var next = real.argmax(-1);
                tokens.Add(next.item<long>());
                greedy.Add(tokens[^1]);
            }
            Assert.Equal(expected["greedy_new_tokens"]!.Select(v => (long)v), greedy);
        }
    }
}
