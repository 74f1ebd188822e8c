using Lrnn.Config;
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
        using var model = new LrnnLMHeadModel(Config(new JObject { ["dt_min"] = dtMin, ["dt_max"] = dtMax }));
        for (var i = 0; i < 2; i++)
        {
            var mamba = (Mamba)model.backbone.Layer(i).mixer;
            var steps = torch.nn.functional.softplus(mamba.dtA_proj.bias.to(ScalarType.Float64)).ToArray<double>();
            Assert.All(steps, s => Assert.InRange(s, dtMin * (1 - 1e-5), dtMax * (1 + 1e-5)));
            Assert.True(steps.Max() - steps.Min() > 1e-4, $"layer {i}: the timesteps are not drawn (all {steps[0]})");
        }
    }
}
