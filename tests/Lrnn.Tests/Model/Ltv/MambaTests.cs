using Lrnn.Config;
using Lrnn.Modules;
using Lrnn.Tests.Support;
using static Lrnn.Tests.Model.ModelTestData;
using Lrnn.Models;
using Lrnn.Modules.Mixers;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Lrnn.Tests.Model.Ltv;

/// <summary>Mamba alone: its initialisation inside a language model and its optional event-mode projection.</summary>
public sealed class MambaTests
{
    private static LrnnConfig Config(JObject mambaKwargs) => new LrnnConfig
    {
        DModel = 16, DState = 4, NLayer = 2, VocabSize = 37, MixerTypes = ["Mamba", "Mamba"],
        MixerKwargs = new JObject { ["Mamba"] = mambaKwargs },
    }.Validate();

    /// <summary>
    /// Event mode's decay step is Δ_A = τ·softplus(dtA_proj.bias): its bias is a timestep initialisation, drawn like
    /// dt_proj's in [dt_min, dt_max], and the language model's zeroing of Linear biases must leave it alone
    /// (a zeroed bias makes Δ_A = τ·ln 2 whatever dt_min and dt_max say).
    /// </summary>
    [Fact]
    public void EventTimestepBiasSurvivesTheLanguageModelInitialisation()
    {
        using var scope = torch.NewDisposeScope();
        const double dtMin = 0.01, dtMax = 0.05;
        using var model = new LrnnLMHeadModel(Config(new JObject { ["dt_min"] = dtMin, ["dt_max"] = dtMax, ["event_mode"] = true }));
        for (var i = 0; i < 2; i++)
        {
            var mamba = (Mamba)model.backbone.Layer(i).mixer;
            var steps = torch.nn.functional.softplus(mamba.dtA_proj!.bias.to(ScalarType.Float64)).ToArray<double>();
            Assert.All(steps, s => Assert.InRange(s, dtMin * (1 - 1e-5), dtMax * (1 + 1e-5)));
            Assert.True(steps.Max() - steps.Min() > 1e-4, $"layer {i}: the timesteps are not drawn (all {steps[0]})");
        }
    }

    /// <summary>
    /// dtA_proj exists only in event mode: without it a Mamba layer has mamba_ssm's keys (its checkpoints lack
    /// dtA_proj), and integration timesteps are refused with the kwarg that enables them.
    /// </summary>
    [Fact]
    public void DtAProjectionExistsOnlyInEventMode()
    {
        using var scope = torch.NewDisposeScope();
        using var plain = new LrnnLMHeadModel(Config([]));
        using var events = new LrnnLMHeadModel(Config(new JObject { ["event_mode"] = true }));
        using var plainState = plain.state_dict();
        using var eventState = events.state_dict();
        Assert.DoesNotContain(plainState.Keys, k => k.Contains("dtA_proj", StringComparison.Ordinal));
        Assert.Equal(["backbone.layers.0.mixer.dtA_proj.bias", "backbone.layers.0.mixer.dtA_proj.weight",
                      "backbone.layers.1.mixer.dtA_proj.bias", "backbone.layers.1.mixer.dtA_proj.weight"],
            eventState.Keys.Except(plainState.Keys).Order(StringComparer.Ordinal));
        var ids = Ids(new Random(51), 1, 4, plain.Config.VocabSize, Device.CPU);
        var e = Assert.Throws<ArgumentException>(() => plain.Forward(ids, integrationTimesteps: torch.ones([1, 4])));
        Assert.Contains("\"event_mode\": true", e.Message);
    }

    /// <summary>
    /// lrnnx's checkpoints always hold dtA_proj: a configuration without event mode loads them and ignores those keys
    /// (same logits as the event-mode model without timesteps); a checkpoint without them (mamba_ssm's, or ours
    /// without event mode) loads as is.
    /// </summary>
    [Fact]
    public void CheckpointsWithAndWithoutDtAProjLoad()
    {
        using var scope = torch.NewDisposeScope();
        var withKeys = Path.Combine(Path.GetTempPath(), $"lrnn-mamba-{Guid.NewGuid():N}");
        var withoutKeys = withKeys + "-plain";
        try
        {
            using var events = new LrnnLMHeadModel(Config(new JObject { ["event_mode"] = true }));
            events.SavePretrained(withKeys);
            Config(new JObject()).Save(withKeys);                                               // the same weights, read without event mode
            using var loaded = LrnnLMHeadModel.FromPretrained(withKeys);
            using (var saved = events.state_dict())
                Assert.Equal(4, loaded.UnusedCheckpointKeys().Intersect(saved.Keys).Count());    // two layers' dtA_proj weight and bias
            var ids = Ids(new Random(52), 2, 5, events.Config.VocabSize, Device.CPU);
            Numerics.AssertClose(Doubles(events.Forward(ids)), Doubles(loaded.Forward(ids)), atol: 0, what: "logits without the ignored keys");

            loaded.SavePretrained(withoutKeys);
            using var reloaded = LrnnLMHeadModel.FromPretrained(withoutKeys);
            Numerics.AssertClose(Doubles(events.Forward(ids)), Doubles(reloaded.Forward(ids)), atol: 0, what: "a checkpoint without dtA_proj");
        }
        finally
        {
            foreach (var dir in new[] { withKeys, withoutKeys })
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
