using Lrnn.Config;
using Lrnn.Models;
using Lrnn.Tests.SafeTensors;
using Xunit;

namespace Lrnn.Tests.Config;

/// <summary>
/// config.json is read strictly (issue 21): a value Newtonsoft would coerce (64.5 → 64, "64" → 64), a duplicate key
/// (last wins) and a size no machine can allocate are each an error that names the field.
/// </summary>
public sealed class ConfigJsonStrictnessTests
{
    private static string Json(string dModel = "64", string vocab = "1000", string extra = "") =>
        $$"""{"d_model": {{dModel}}, "d_state": 16, "n_layer": 1, "vocab_size": {{vocab}}, "mixer_types": ["LRU"]{{extra}}}""";

    private static string Rejected(string json) => Assert.Throws<LrnnConfigException>(() => LrnnConfig.FromJson(json, "config.json")).Message;

    [Fact]
    public void TheBaseDocumentLoads() => Assert.Equal(64, LrnnConfig.FromJson(Json()).DModel);

    [Theory]
    [InlineData("64.5", "must be an integer", "64.5")]
    [InlineData("64.0", "must be an integer", "64.0")]
    [InlineData("1e2", "must be an integer", "100.0")]
    [InlineData("\"64\"", "must be an integer", "the string \"64\"")]
    [InlineData("true", "must be an integer", "the boolean true")]
    [InlineData("[64]", "must be an integer", "an array")]
    [InlineData("99999999999999999999", "outside the range", "99999999999999999999")]
    public void DModelMustBeAnInteger(string value, string problem, string shown)
    {
        var message = Rejected(Json(dModel: value));
        Assert.Contains("'d_model'", message);
        Assert.Contains(problem, message);
        Assert.Contains(shown, message);
    }

    [Theory]
    [InlineData(""", "n_layer": 1""", "n_layer")]
    [InlineData(""", "d_model": 64""", "d_model")]
    public void DuplicateKeyIsRejected(string extra, string field)
    {
        var message = Rejected(Json(extra: extra));
        Assert.Contains(field, message);
        Assert.Contains("already exists", message);
    }

    [Theory]
    [InlineData(""", "rms_norm": "true" """, "'rms_norm'", "true or false")]
    [InlineData(""", "norm_epsilon": "1e-5" """, "'norm_epsilon'", "a number")]
    [InlineData(""", "pad_vocab_size_multiple": 8.5""", "'pad_vocab_size_multiple'", "an integer")]
    [InlineData(""", "initializer_cfg": {"initializer_range": "0.02"}""", "'initializer_cfg.initializer_range'", "a number")]
    [InlineData(""", "lm_head": {"bias": 1}""", "'lm_head.bias'", "true or false")]
    public void NestedFieldsAreTypedToo(string extra, string field, string expected)
    {
        var message = Rejected(Json(extra: extra));
        Assert.Contains(field, message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void MixerTypesMustBeStrings()
    {
        var message = Rejected("""{"d_model": 64, "d_state": 16, "n_layer": 1, "vocab_size": 1000, "mixer_types": [3]}""");
        Assert.Contains("'mixer_types[0]'", message);
        Assert.Contains("a string", message);
    }

    [Fact]
    public void AbsurdVocabularyIsRefusedNamingTheField()
    {
        var message = Rejected(Json(vocab: "1000000000000"));
        Assert.Contains("vocab_size (1000000000000)", message);
        Assert.Contains("too large for this machine", message);
        // As a float (Python's 1e12) it is not an integer in the first place.
        Assert.Contains("'vocab_size' must be an integer", Rejected(Json(vocab: "1e12")));
    }

    [Fact]
    public void AbsurdMlpIsRefusedNamingTheFields()
    {
        var message = Rejected(Json(extra: """, "d_intermediate": 100000000000"""));
        Assert.Contains("d_intermediate (100000000000)", message);
    }

    [Fact]
    public void FromPretrainedRefusesAnAbsurdConfigBeforeAllocating()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File(LrnnConfig.FileName), Json(vocab: "1000000000000"));
        var e = Assert.Throws<LrnnConfigException>(() => LrnnLMHeadModel.FromPretrained(folder.Path).Dispose());
        Assert.Contains("vocab_size", e.Message);
    }
}
