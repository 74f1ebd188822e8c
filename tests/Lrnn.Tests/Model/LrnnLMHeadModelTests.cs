using Lrnn.Config;
using Lrnn.Models;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using Newtonsoft.Json.Linq;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model;

public sealed class LrnnLMHeadModelTests
{
    public static TheoryData<string, string> DevicesAndFamilies()
    {
        var data = new TheoryData<string, string>();
        foreach (var device in new[] { "cpu", "cuda" })
        foreach (var family in new[] { "lru", "attn", "hybrid", "hybrid-layernorm" })
            data.Add(new TheoryDataRow<string, string>(device, family)
            {
                Skip = TestDevices.SkipReason(device),
            });
        return data;
    }

    [Theory]
    [MemberData(nameof(DevicesAndFamilies))]
    public void PrefillThenStepsMatchForward(string device, string family)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new LrnnLMHeadModel(Family(family), device: device);
        using var logits = model.Forward(Ids(new Random(11), 2, 10, model.Config.VocabSize, device));
        Assert.Equal([2L, 10, 40], logits.shape);                                         // 37 padded to 40
        StateEquivalence.AssertPrefillThenStepsMatchForward(model, device, prompt: 6, steps: 4, seed: 11, what: family);
    }

    [Fact]
    public void StepFromAnEmptyCacheMatchesForward()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new LrnnLMHeadModel(Family("hybrid"));
        var ids = Ids(new Random(12), 1, 5, model.Config.VocabSize, Device.CPU);
        var full = model.Forward(ids, numLastTokens: 5);
        using var cache = model.AllocateInferenceCache(1, 5);
        var stepped = Enumerable.Range(0, 5).Select(t => model.Step(ids.narrow(1, t, 1), cache)).ToList();
        Numerics.AssertClose(Doubles(full), Doubles(torch.cat(stepped, 1)), atol: 1e-4);
        Assert.Equal([1L, 2, 40], model.Forward(ids, numLastTokens: 2).shape);

        // Mixers also step on (B, D) tokens.
        using var mixerCache = model.backbone.Layer(1).mixer.AllocateCache(1, 2, ScalarType.Float32, Device.CPU);
        var token = Normal(new Random(16), [1, 16], ScalarType.Float32, Device.CPU);
        Assert.Equal([1L, 16], model.backbone.Layer(1).mixer.Step(token, mixerCache).shape);
    }

    [Fact]
    public void NoTensorOutlivesItsOwnerOutsideADisposeScope()
    {
        // Every temporary of forward, prefill and step is disposed by the library itself: without a dispose scope,
        // only the returned logits stay alive, and disposing the model and the cache frees everything.
        var baseline = LiveTensors.Settled();
        var model = new LrnnLMHeadModel(Family("hybrid"));
        var afterBuild = torch.LiveTensorCount;
        using (var ids = Ids(new Random(18), 2, 5, model.Config.VocabSize, Device.CPU))
        using (var cache = model.AllocateInferenceCache(2, 6))
        {
            var afterCache = torch.LiveTensorCount;
            using (model.Forward(ids)) { }
            using (var prompt = ids.narrow(1, 0, 4)) using (model.Prefill(prompt, cache)) { }
            using (var token = ids.narrow(1, 4, 1)) using (model.Step(token, cache)) { }
            Assert.Equal(afterCache, torch.LiveTensorCount);
        }
        Assert.Equal(afterBuild, torch.LiveTensorCount);
        model.Dispose();
        Assert.Equal(baseline, torch.LiveTensorCount);
    }

    [Fact]
    public void KeysAndShapesMatchTheApprovedList()
    {
        var config = ConfigFor(["LRU", "attn", "LRU"], dIntermediate: 100,
            attn: new JObject { ["num_heads"] = 4, ["num_heads_kv"] = 2, ["rotary_emb_dim"] = 4 }) with { VocabSize = 1000, PadVocabSizeMultiple = 16 };
        using var model = new LrnnLMHeadModel(config);
        using var state = model.state_dict();
        var received = string.Concat(state.Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]\n"));
        Approvals.Verify("LrnnLMHeadModel.hybrid", received);
    }

    [Fact]
    public void TiedHeadIsTheEmbeddingAndUntiedIsNot()
    {
        using var tied = new LrnnLMHeadModel(Family("lru"));
        Assert.Same(((Embedding)tied.backbone.embedding).weight, tied.lm_head.weight);
        Assert.DoesNotContain(tied.named_parameters(), p => p.Name == "lm_head.weight");        // de-duplicated
        using (var state = tied.state_dict()) Assert.Contains("lm_head.weight", state.Keys);     // but in the state dict, as PyTorch

        using var untied = new LrnnLMHeadModel(Family("lru") with { TieEmbeddings = false });
        Assert.False(untied.lm_head.weight.is_alias_of(((Embedding)untied.backbone.embedding).weight));
        Assert.Equal(tied.parameter_count() + 40 * 16, untied.parameter_count());
    }

    [Fact]
    public void InitialisationIsLrnnxEffectiveOne()
    {
        var config = ConfigFor(["attn", "attn", "attn", "attn"], dIntermediate: 256) with { DModel = 64, VocabSize = 4000 };
        using var model = new LrnnLMHeadModel(config);
        var embedding = Doubles(((Embedding)model.backbone.embedding).weight);
        Assert.InRange(Math.Sqrt(embedding.Select(v => v * v).Average()), 0.019, 0.021);          // N(0, 0.02²), 256k draws
        var block = model.backbone.Layer(0);
        // U(±1/√fan_in) / √n_layer: the bound is reached within 1% and never exceeded.
        foreach (var (linear, fanIn) in new[] { (((Lrnn.Modules.Mixers.MultiHeadAttention)block.mixer).out_proj, 64L), (block.mlp!.fc2, 256L) })
        {
            var bound = 1 / Math.Sqrt(fanIn) / Math.Sqrt(4);
            var max = Doubles(linear.weight).Max(Math.Abs);
            Assert.InRange(max, 0.99 * bound, bound);
        }
        Assert.All(Doubles(((Lrnn.Modules.Mixers.MultiHeadAttention)block.mixer).in_proj.bias!), v => Assert.Equal(0, v));
    }

    [Fact]
    public void LayerNormModelsHaveNormBiases()
    {
        using var model = new LrnnLMHeadModel(ConfigFor(LruOnly, rmsNorm: false));
        var names = model.named_parameters().Select(p => p.Name).ToList();
        Assert.Contains("backbone.layers.0.norm.bias", names);
        Assert.Contains("backbone.norm_f.bias", names);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        using var scope = torch.NewDisposeScope();
        var config = ConfigFor(Hybrid, dIntermediate: 8,
            attn: new JObject { ["num_heads"] = 2, ["rotary_emb_dim"] = 2 }) with { DModel = 4, DState = 2, VocabSize = 7 };
        using var model = new LrnnLMHeadModel(config, dtype: ScalarType.Float64);
        var ids = Ids(new Random(13), 1, 4, config.VocabSize, Device.CPU);
        var weights = Normal(new Random(14), [1, 4, 8], ScalarType.Float64, Device.CPU);
        Tensor Loss() => model.Forward(ids).mul(weights).sum();

        Loss().backward();
        foreach (var name in new[] { "backbone.layers.0.mixer.nu_log", "backbone.layers.0.mixer.B_im", "backbone.layers.1.mixer.in_proj.weight",
                                     "backbone.layers.2.mlp.fc1.weight", "backbone.layers.1.norm.weight", "backbone.embedding.weight" })
        {
            var parameter = model.named_parameters().Single(p => p.Name == name).Parameter;
            var numeric = GradCheck.Numeric(parameter, () => Loss().item<double>());
            Numerics.AssertClose(numeric, Doubles(parameter.grad!), atol: 1e-6, rtol: 1e-5, what: $"d loss / d {name}");
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(4096L)]
    public void SaveThenLoadGivesIdenticalLogits(long? maxShardBytes)
    {
        using var scope = torch.NewDisposeScope();
        var directory = Directory.CreateTempSubdirectory("lrnn-model-").FullName;
        try
        {
            using var model = new LrnnLMHeadModel(Family("hybrid"));
            var ids = Ids(new Random(15), 2, 5, model.Config.VocabSize, Device.CPU);
            var before = Doubles(model.Forward(ids));
            model.SavePretrained(directory, maxShardBytes);
            Assert.True(File.Exists(Path.Combine(directory, "config.json")));
            Assert.Equal(maxShardBytes is not null, File.Exists(Path.Combine(directory, "model.safetensors.index.json")));
            Assert.Equal(model.Config.ToJson(), LrnnConfig.Load(directory).ToJson());

            using var loaded = LrnnLMHeadModel.FromPretrained(directory);
            Assert.Same(((Embedding)loaded.backbone.embedding).weight, loaded.lm_head.weight);
            Assert.Equal(before, Doubles(loaded.Forward(ids)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TiedCheckpointsLoadWithLmHeadAbsentOrStoredTwice(bool storedTwice)
    {
        using var scope = torch.NewDisposeScope();
        var directory = Directory.CreateTempSubdirectory("lrnn-model-").FullName;
        try
        {
            using var model = new LrnnLMHeadModel(Family("lru"));
            model.Config.Save(directory);
            using (var state = model.state_dict())
            {
                // Files written by other tools: no tie record; lm_head.weight either missing or a separate copy.
                var tensors = state.Where(kv => kv.Key != "lm_head.weight").ToDictionary(kv => kv.Key, kv => kv.Value);
                if (storedTwice) tensors["lm_head.weight"] = model.lm_head.weight.clone();
                Lrnn.Checkpoints.SafeTensorsCheckpoint.Save(Path.Combine(directory, LrnnLMHeadModel.WeightsFileName), tensors);
            }
            using var loaded = LrnnLMHeadModel.FromPretrained(directory);
            Assert.Same(((Embedding)loaded.backbone.embedding).weight, loaded.lm_head.weight);
            var ids = Ids(new Random(17), 1, 4, model.Config.VocabSize, Device.CPU);
            Assert.Equal(Doubles(model.Forward(ids)), Doubles(loaded.Forward(ids)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void LoadingAMismatchedCheckpointListsTheKeys()
    {
        var directory = Directory.CreateTempSubdirectory("lrnn-model-").FullName;
        try
        {
            using (var model = new LrnnLMHeadModel(Family("lru"))) model.SavePretrained(directory);
            // Same weights, but the config now asks for an MLP and a wider state: missing and mis-shaped keys.
            var edited = JObject.Parse(File.ReadAllText(Path.Combine(directory, "config.json")));
            edited["d_intermediate"] = 32;
            edited["d_state"] = 7;
            File.WriteAllText(Path.Combine(directory, "config.json"), edited.ToString());
            var error = Assert.Throws<StateDictMismatchException>(() => LrnnLMHeadModel.FromPretrained(directory));
            Assert.Contains("backbone.layers.0.mlp.fc1.weight", error.Message);
            Assert.Contains("backbone.layers.0.mixer.nu_log", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
