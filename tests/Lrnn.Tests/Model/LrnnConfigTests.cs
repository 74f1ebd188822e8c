using Lrnn.Config;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Lrnn.Tests.Model;

public sealed class LrnnConfigTests
{
    // Exactly what lrnnx's save_pretrained writes (json.dump(indent=4) of its twelve fields).
    private const string LrnnxConfigJson = """
        {
            "d_model": 64,
            "d_state": 16,
            "n_layer": 3,
            "vocab_size": 1000,
            "mixer_types": [
                "LRU",
                "LRU",
                "LRU"
            ],
            "d_intermediate": 128,
            "norm_epsilon": 1e-05,
            "rms_norm": true,
            "fused_add_norm": false,
            "residual_in_fp32": false,
            "tie_embeddings": true,
            "pad_vocab_size_multiple": 16
        }
        """;

    private static LrnnConfig Valid(Func<LrnnConfig, LrnnConfig>? change = null)
    {
        var config = new LrnnConfig
        {
            DModel = 32, DState = 8, NLayer = 2, VocabSize = 100, MixerTypes = ["LRU", "attn"],
            MixerKwargs = new JObject { ["attn"] = new JObject { ["num_heads"] = 4 } },
        };
        return change is null ? config : change(config);
    }

    private static string ValidationMessage(LrnnConfig config) => Assert.Throws<LrnnConfigException>(() => config.Validate()).Message;

    [Fact]
    public void LrnnxConfigJsonLoadsWithItsValues()
    {
        var config = LrnnConfig.FromJson(LrnnxConfigJson);
        Assert.Equal(64, config.DModel);
        Assert.Equal(16, config.DState);
        Assert.Equal(3, config.NLayer);
        Assert.Equal(1000, config.VocabSize);
        Assert.Equal(["LRU", "LRU", "LRU"], config.MixerTypes);
        Assert.Equal(128, config.DIntermediate);
        Assert.Equal(1e-5, config.NormEpsilon);
        Assert.True(config.RmsNorm);
        Assert.False(config.FusedAddNorm);
        Assert.False(config.ResidualInFp32);
        Assert.True(config.TieEmbeddings);
        Assert.Equal(16, config.PadVocabSizeMultiple);
        Assert.Null(config.MixerKwargs);
        Assert.Equal(1008, config.PaddedVocabSize);       // lrnnx's own test: 1000 padded to a multiple of 16
        Assert.Equal(LrnnxConfigJson, config.ToJson());   // and written back byte for byte as lrnnx writes it
    }

    [Fact]
    public void MissingOptionalFieldsTakeLrnnxDefaults()
    {
        var config = LrnnConfig.FromJson("""{"d_model": 8, "d_state": 4, "n_layer": 1, "vocab_size": 10, "mixer_types": ["LRU"]}""");
        Assert.Equal(0, config.DIntermediate);
        Assert.Equal(1e-5, config.NormEpsilon);
        Assert.True(config.RmsNorm);
        Assert.True(config.FusedAddNorm);
        Assert.False(config.ResidualInFp32);
        Assert.True(config.TieEmbeddings);
        Assert.Equal(8, config.PadVocabSizeMultiple);
        Assert.Equal(16, config.PaddedVocabSize);
        Assert.Equal(0.02, config.Initializer.InitializerRange);
        Assert.True(config.Initializer.RescalePrenormResidual);
    }

    [Fact]
    public void JsonRoundTripKeepsMixerKwargsAndInitializerConfig()
    {
        var config = Valid(c => c with { InitializerCfg = new InitializerConfig { InitializerRange = 0.01, RescalePrenormResidual = false } });
        var json = config.ToJson();
        Assert.Contains("\n    \"d_model\": 32,", json);                          // indent 4, as lrnnx
        var back = LrnnConfig.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.Equal(4, (int)back.MixerKwargs!["attn"]!["num_heads"]!);
        Assert.Equal(0.01, back.Initializer.InitializerRange);
        Assert.False(back.Initializer.RescalePrenormResidual);
    }

    [Fact]
    public void MixerKwargsCanBeSuppliedForAFileWithoutThem()
    {
        var lrnnxJson = Valid().ToJson().Replace("\"mixer_kwargs\"", "\"ignored\"");
        var withoutKwargs = JObject.Parse(lrnnxJson);
        withoutKwargs.Remove("ignored");
        var text = withoutKwargs.ToString();
        Assert.Contains("requires the keyword argument 'num_heads'", Assert.Throws<LrnnConfigException>(() => LrnnConfig.FromJson(text)).Message);
        var config = LrnnConfig.FromJson(text, mixerKwargs: new JObject { ["attn"] = new JObject { ["num_heads"] = 2 } });
        Assert.Equal(2, config.ArgumentsFor("attn").GetInt("num_heads"));
    }

    [Fact]
    public void MixerTypesLengthMustEqualNLayer() =>
        Assert.Contains("mixer_types has 2 entries but n_layer is 3", ValidationMessage(Valid(c => c with { NLayer = 3 })));

    [Fact]
    public void UnknownMixerListsTheKnownOnes()
    {
        var message = ValidationMessage(Valid(c => c with { MixerTypes = ["LRU", "lru"] }));
        Assert.Contains("unknown mixer type 'lru'", message);
        Assert.Contains("LRU, attn", message);
    }

    [Theory]
    [InlineData("d_model")]
    [InlineData("d_state")]
    [InlineData("n_layer")]
    [InlineData("vocab_size")]
    [InlineData("pad_vocab_size_multiple")]
    public void NonPositiveSizesAreRejected(string field)
    {
        var config = field switch
        {
            "d_model" => Valid(c => c with { DModel = 0 }),
            "d_state" => Valid(c => c with { DState = -1 }),
            "n_layer" => Valid(c => c with { NLayer = 0, MixerTypes = [] }),
            "vocab_size" => Valid(c => c with { VocabSize = 0 }),
            _ => Valid(c => c with { PadVocabSizeMultiple = 0 }),
        };
        Assert.Contains($"{field} must be positive", ValidationMessage(config));
    }

    [Fact]
    public void DStateInsideMixerKwargsIsRejected() =>
        Assert.Contains("contain 'd_state'", ValidationMessage(Valid(c => c with
        {
            MixerKwargs = new JObject { ["LRU"] = new JObject { ["d_state"] = 4 }, ["attn"] = new JObject { ["num_heads"] = 4 } },
        })));

    [Fact]
    public void UnknownKwargIsRejectedWithTheKnownOnes()
    {
        var message = ValidationMessage(Valid(c => c with
        {
            MixerKwargs = new JObject { ["LRU"] = new JObject { ["rmin"] = 0.5 }, ["attn"] = new JObject { ["num_heads"] = 4 } },
        }));
        Assert.Contains("unknown keyword argument 'rmin' for mixer 'LRU' (known: r_min, r_max, max_phase)", message);
    }

    [Fact]
    public void WrongKwargTypeIsRejected() =>
        Assert.Contains("'num_heads' must be int", ValidationMessage(Valid(c => c with
        {
            MixerKwargs = new JObject { ["attn"] = new JObject { ["num_heads"] = "4" } },
        })));

    [Fact]
    public void NonCausalAttentionIsRejectedInALanguageModel() =>
        Assert.Contains("causal=false inside a language model", ValidationMessage(Valid(c => c with
        {
            MixerKwargs = new JObject { ["attn"] = new JObject { ["num_heads"] = 4, ["causal"] = false } },
        })));

    [Fact]
    public void LruRadiiMustBeOrderedInsideTheUnitDisc() =>
        Assert.Contains("LRU: needs 0 ≤ r_min < r_max ≤ 1", ValidationMessage(Valid(c => c with
        {
            MixerKwargs = new JObject { ["LRU"] = new JObject { ["r_min"] = 0.9, ["r_max"] = 0.5 }, ["attn"] = new JObject { ["num_heads"] = 4 } },
        })));

    [Fact]
    public void HeadsMustDivideTheModelWidth() =>
        Assert.Contains("d_model (32) must be divisible by num_heads (5)", ValidationMessage(Valid(c => c with
        {
            MixerKwargs = new JObject { ["attn"] = new JObject { ["num_heads"] = 5 } },
        })));

    [Fact]
    public void FlatKwargsApplyToEveryMixerThatKnowsThem()
    {
        var config = Valid(c => c with { MixerKwargs = new JObject { ["num_heads"] = 8, ["r_min"] = 0.5 } }).Validate();
        Assert.Equal(8, config.ArgumentsFor("attn").GetInt("num_heads"));
        Assert.Equal(0.5, config.ArgumentsFor("LRU").GetDouble("r_min"));
        Assert.Equal(1.0, config.ArgumentsFor("LRU").GetDouble("r_max"));                    // the default
        Assert.Contains("'nope' in the flat mixer_kwargs", ValidationMessage(Valid(c => c with
        {
            MixerKwargs = new JObject { ["num_heads"] = 8, ["nope"] = 1 },
        })));
    }

    [Fact]
    public void MixingKeyedAndFlatKwargsIsRejected() =>
        Assert.Contains("mixes mixer types (attn) with other keys (r_min)", ValidationMessage(Valid(c => c with
        {
            MixerKwargs = new JObject { ["attn"] = new JObject { ["num_heads"] = 4 }, ["r_min"] = 0.5 },
        })));

    [Fact]
    public void EveryProblemIsListed()
    {
        var message = ValidationMessage(Valid(c => c with { DModel = 0, VocabSize = -3 }));
        Assert.Contains("d_model must be positive", message);
        Assert.Contains("vocab_size must be positive", message);
    }

    [Fact]
    public void UnknownFieldsInTheFileAreErrors()
    {
        var message = Assert.Throws<LrnnConfigException>(() => LrnnConfig.FromJson(
            """{"d_model": 8, "d_state": 4, "n_layer": 1, "vocab_size": 10, "mixer_types": ["LRU"], "initializer_cfg": {"n_residuals_per_layer": 2}}""")).Message;
        Assert.Contains("n_residuals_per_layer", message);
        Assert.Contains("d_model", Assert.Throws<LrnnConfigException>(() => LrnnConfig.FromJson("""{"d_state": 4}""")).Message);
    }
}
