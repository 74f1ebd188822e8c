using Lrnn.Config;
using Lrnn.Modules.Mixers;
using Lrnn.Torch;

namespace Lrnn.Modules;

/// <summary>What a mixer factory gets: the model's configuration, the layer index and the layer's resolved kwargs.</summary>
public sealed record MixerSpec(LrnnConfig Config, int LayerIdx, MixerArguments Arguments, ScalarType? Dtype, Device? Device);

/// <summary>
/// Mixer types by name (case-sensitive, lrnnx's names). A mixer is one class plus one registration here:
/// its kwargs schema (validated by <see cref="LrnnConfig.Validate"/>), its factory and, optionally, the checks
/// that depend on the rest of the model's configuration.
/// </summary>
public static class MixerRegistry
{
    private sealed record Entry(MixerSchema Schema, Func<MixerSpec, Mixer> Factory, Func<LrnnConfig, MixerArguments, IEnumerable<string>>? ModelProblems);

    private static readonly Dictionary<string, Entry> s_entries = new(StringComparer.Ordinal);
    private static readonly Lock s_lock = new();

    static MixerRegistry()
    {
        Register("LRU", Lru.Schema, spec => new Lru(spec), Lru.ModelProblems);
        Register("attn", MultiHeadAttention.Schema, spec => new MultiHeadAttention(spec), MultiHeadAttention.ModelProblems);
        Register("S4", S4.Schema, spec => new S4(spec), S4.ModelProblems);
        Register("S4D", S4D.Schema, spec => new S4D(spec), S4D.ModelProblems);
        Register("S5", S5.Schema, spec => new S5(spec), S5.ModelProblems);
        Register("Centaurus", Centaurus.Schema, Centaurus.Create, Centaurus.ModelProblems);
        Register("Mamba", Mamba.Schema, spec => new Mamba(spec), Mamba.ModelProblems);
        Register("RGLRU", RgLru.Schema, spec => new RgLru(spec), RgLru.ModelProblems);
        Register("S7", S7.Schema, spec => new S7(spec), S7.ModelProblems);
        Register("S5LTV", S5Ltv.Schema, spec => new S5Ltv(spec), S5Ltv.ModelProblems);
    }

    /// <summary>
    /// Registers (or replaces) mixer type <paramref name="name"/>. <paramref name="modelProblems"/> checks its kwargs
    /// against the whole configuration (e.g. heads dividing d_model), one message per problem.
    /// </summary>
    public static void Register(string name, MixerSchema schema, Func<MixerSpec, Mixer> factory,
        Func<LrnnConfig, MixerArguments, IEnumerable<string>>? modelProblems = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (s_lock) s_entries[name] = new Entry(schema, factory, modelProblems);
    }

    public static bool Contains(string name)
    {
        lock (s_lock) return s_entries.ContainsKey(name);
    }

    /// <summary>Registered names in registration order.</summary>
    public static IReadOnlyList<string> Names
    {
        get { lock (s_lock) return s_entries.Keys.ToList(); }
    }

    public static MixerSchema Schema(string name) => Get(name).Schema;

    internal static IEnumerable<string> ModelProblems(string name, LrnnConfig config, MixerArguments args) =>
        Get(name).ModelProblems?.Invoke(config, args) ?? [];

    /// <summary>Builds layer <paramref name="layerIdx"/>'s mixer of a validated configuration.</summary>
    public static Mixer Create(LrnnConfig config, int layerIdx, ScalarType? dtype = null, Device? device = null)
    {
        var name = config.MixerTypes[layerIdx];
        return Get(name).Factory(new MixerSpec(config, layerIdx, config.ArgumentsFor(name), dtype, device));
    }

    private static Entry Get(string name)
    {
        lock (s_lock)
            return s_entries.TryGetValue(name, out var e)
                ? e
                : throw new LrnnConfigException($"unknown mixer type '{name}' (known, case-sensitive: {string.Join(", ", s_entries.Keys)})");
    }
}
