using Lrnn.Config;
using Lrnn.Heads;
using Lrnn.Losses;
using Lrnn.Models;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Heads;

public sealed class HeadConfigTests
{
    private const string SplitJson = """{ "name": "split", "split_vocab_size": { "text": 32, "special": 8 }, "split_order": ["text", "special"] }""";

    public static TheoryData<string> HeadJson() =>
    [
        """{ "name": "default", "bias": true, "layer_norm": true, "loss": { "implementation": "chunked", "chunk_size": 3 } }""",
        """{ "name": "normalized", "loss": { "implementation": "fused_linear", "z_loss_multiplier": 0.0001, "label_smoothing": 0.1 } }""",
        SplitJson,
    ];

    private static LrnnConfig WithHead(string headJson)
    {
        var json = JObjectOf(ConfigFor(LruOnly).ToJson());
        json["lm_head"] = Newtonsoft.Json.Linq.JObject.Parse(headJson);
        return LrnnConfig.FromJson(json.ToString());
    }

    private static Newtonsoft.Json.Linq.JObject JObjectOf(string json) => Newtonsoft.Json.Linq.JObject.Parse(json);

    [Theory]
    [MemberData(nameof(HeadJson))]
    public void EveryHeadConfigRoundTripsThroughConfigJson(string headJson)
    {
        var config = WithHead(headJson);
        var again = LrnnConfig.FromJson(config.ToJson());
        Assert.Equal(config.ToJson(), again.ToJson());
        Assert.Equal(config.LmHead!.Name, again.LmHead!.Name);
        Assert.Equal(config.LmHead.Loss, again.LmHead.Loss);
        Assert.Equal(config.LmHead.SplitOrder, again.LmHead.SplitOrder);
    }

    [Theory]
    [MemberData(nameof(HeadJson))]
    public void TheModelBuildsTheConfiguredHeadWithItsKeysAndLoss(string headJson)
    {
        using var scope = torch.NewDisposeScope();
        var config = WithHead(headJson) with { TieEmbeddings = false };
        using var model = new LrnnLMHeadModel(config);
        using var state = model.state_dict();
        var keys = state.Keys.Where(k => k.StartsWith("lm_head.", StringComparison.Ordinal) || k.StartsWith("backbone.embedding.", StringComparison.Ordinal)).ToList();
        var expected = config.LmHead!.Name switch
        {
            LMHeadConfig.Default => new[] { "backbone.embedding.weight", "lm_head.weight", "lm_head.bias", "lm_head.norm.weight" },
            LMHeadConfig.Normalized => ["backbone.embedding.weight", "lm_head.weight", "lm_head.sz"],
            _ => ["backbone.embedding.text.weight", "backbone.embedding.special.weight", "lm_head.text.weight", "lm_head.special.weight"],
        };
        Assert.Equal(expected, keys);
        Assert.Equal(config.LmHead.Loss.Implementation, model.lm_head.Loss.CrossEntropy.Name);

        var ids = Ids(new Random(1), 2, 5, 40, Device.CPU);
        Assert.Equal([2L, 5, 40], model.Forward(ids).shape);
        using var output = model.Forward(ids, LanguageModelingLabels.FromInputIds(ids));
        Assert.True(double.IsFinite(Doubles(output.Loss)[0]));
    }

    [Fact]
    public void ATiedSplitModelSharesEachSplitWithItsEmbedding()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new LrnnLMHeadModel(WithHead(SplitJson));
        var head = (SplitLMHead)model.lm_head;
        var embeddings = (Lrnn.Modules.SplitTokenEmbeddings)model.backbone.embedding;
        Assert.Same(embeddings.Split("special").weight, head.Split("special").weight);
        Assert.Same(embeddings.Split("text").weight, head.Split("text").weight);
    }

    [Fact]
    public void InvalidHeadConfigsAreRejectedWithTheirProblem()
    {
        Assert.Contains("unknown", Assert.Throws<LrnnConfigException>(() => WithHead("""{ "name": "tied" }""")).Message);
        Assert.Contains("add up to 30", Assert.Throws<LrnnConfigException>(() =>
            WithHead("""{ "name": "split", "split_vocab_size": { "a": 30 }, "split_order": ["a"] }""")).Message);
        Assert.Contains("implementation", Assert.Throws<LrnnConfigException>(() =>
            WithHead("""{ "loss": { "implementation": "liger" } }""")).Message);
        Assert.Contains("bias", Assert.Throws<LrnnConfigException>(() => WithHead("""{ "name": "normalized", "bias": true }""")).Message);
    }

    [Fact]
    public void NormalizeMatricesGivesUnitRowsAndTheScaleStartsAtOne()
    {
        using var scope = torch.NewDisposeScope();
        using var head = new NormalizedLMHead(16, 12);
        using (torch.no_grad()) head.weight.mul_(3.0);
        head.NormalizeMatrices();
        Assert.All(Doubles(head.weight.norm(2, 1)), n => Assert.Equal(1.0, n, 5));
        Assert.All(Doubles(head.LogitScale()!), s => Assert.Equal(1.0, s, 6));
    }
}
