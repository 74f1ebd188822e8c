using Lrnn.Config;
using Lrnn.Modules.Mixers;

namespace Lrnn.Modules.Ltv;

/// <summary>The registry entries of the linear time-varying mixers (one line in <see cref="MixerRegistry"/> adds them all).</summary>
internal static class LtvMixers
{
    public static IEnumerable<(string Name, MixerSchema Schema, Func<MixerSpec, Mixer> Factory, Func<LrnnConfig, MixerArguments, IEnumerable<string>> ModelProblems)> Registrations =>
    [
        ("Mamba", Mamba.Schema, spec => new Mamba(spec), Mamba.ModelProblems),
        ("RGLRU", RgLru.Schema, spec => new RgLru(spec), RgLru.ModelProblems),
        ("S7", S7.Schema, spec => new S7(spec), S7.ModelProblems),
        ("S5LTV", S5Ltv.Schema, spec => new S5Ltv(spec), S5Ltv.ModelProblems),
    ];
}
