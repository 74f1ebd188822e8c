using Lrnn.Config;
using Lrnn.Modules;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;

namespace Lrnn.Benchmarks.Lti;

/// <summary>The LTI mixers under benchmark, built through <see cref="MixerRegistry"/> as a model builds them.</summary>
public static class LtiMixers
{
    /// <summary>LRU, S4D, S5, Centaurus, and S4 once it is registered.</summary>
    public static IEnumerable<string> Names =>
        new[] { "LRU", "S4D", "S5", "Centaurus", "S4" }.Where(MixerRegistry.Contains);

    /// <summary>
    /// Mixer <paramref name="name"/> at <paramref name="preset"/>'s d_model and d_state, float32, with the kwargs
    /// lrnnx's configs use by default (S5: zoh; Centaurus: neck mode with 4 sub-states per state).
    /// </summary>
    public static Mixer Create(string name, LtiBenchPreset preset, Device device)
    {
        var config = new LrnnConfig
        {
            DModel = preset.DModel, DState = preset.DState, NLayer = 1, VocabSize = 8, MixerTypes = [name],
            MixerKwargs = new JObject
            {
                ["S5"] = new JObject { ["discretization"] = "zoh" },
                ["Centaurus"] = new JObject { ["sub_state_dim"] = 4, ["mode"] = "neck" },
            },
        }.Validate();
        return MixerRegistry.Create(config, 0, ScalarType.Float32, device);
    }
}
