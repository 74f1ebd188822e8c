using Lrnn.Config;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;

namespace Lrnn.Tests.Model;

/// <summary>Tiny configurations and deterministic inputs (System.Random, so tests do not depend on torch's generator).</summary>
internal static class ModelTestData
{
    public static LrnnConfig ConfigFor(string[] mixerTypes, long dIntermediate = 0, JObject? attn = null, bool tie = true, bool rmsNorm = true) => new LrnnConfig
    {
        DModel = 16, DState = 6, NLayer = mixerTypes.Length, VocabSize = 37, MixerTypes = mixerTypes, DIntermediate = dIntermediate,
        PadVocabSizeMultiple = 8, TieEmbeddings = tie, RmsNorm = rmsNorm, FusedAddNorm = false,
        MixerKwargs = mixerTypes.Contains("attn")
            ? new JObject { ["attn"] = attn ?? new JObject { ["num_heads"] = 4, ["num_heads_kv"] = 2, ["rotary_emb_dim"] = 2 } }
            : null,
    }.Validate();

    public static readonly string[] LruOnly = ["LRU", "LRU"];
    public static readonly string[] AttnOnly = ["attn", "attn"];
    public static readonly string[] Hybrid = ["LRU", "attn", "LRU"];

    /// <summary>The model families every equivalence test covers (the last: LayerNorm with a float32 residual stream).</summary>
    public static LrnnConfig Family(string name) => name switch
    {
        "lru" => ConfigFor(LruOnly),
        "attn" => ConfigFor(AttnOnly),
        "hybrid" => ConfigFor(Hybrid, dIntermediate: 40),
        "hybrid-layernorm" => ConfigFor(Hybrid, dIntermediate: 40, rmsNorm: false) with { ResidualInFp32 = true },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static Tensor Normal(Random rng, long[] shape, ScalarType dtype, Device device, double std = 1)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        var values = new double[n];
        for (var i = 0; i < n; i++)
            values[i] = std * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        using var t = torch.tensor(values, shape);
        return t.to(dtype, device);
    }

    public static Tensor Ids(Random rng, long batch, long length, long vocab, Device device)
    {
        var ids = new long[batch * length];
        for (var i = 0; i < ids.Length; i++) ids[i] = rng.NextInt64(vocab);
        return torch.tensor(ids, [batch, length], device);
    }

    public static double[] Doubles(Tensor t)
    {
        using var cpu = t.detach().to(ScalarType.Float64, Device.CPU);
        return cpu.ToArray<double>();
    }
}
