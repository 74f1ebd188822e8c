using Lrnn.Config;
using Lrnn.Models;
using Lrnn.Modules;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model;

/// <summary>
/// The one lengths rule (<see cref="LengthMask"/>), for every registered mixer: a right-padded batch prefilled with
/// lengths, then stepped, equals each sequence run alone (a prefill of its valid tokens, then the same steps): the
/// outputs at valid positions, the step outputs, and so the state the prefill left.
/// </summary>
public sealed class LengthsRuleTests
{
    private const long D = 8, L = 6, Steps = 3;
    private static readonly long[] s_lengths = [L, 4, 1];

    /// <summary>The kwargs a mixer needs to be built (required ones, and rotary embeddings for attention).</summary>
    private static readonly Dictionary<string, JObject> s_kwargs = new()
    {
        ["attn"] = new JObject { ["num_heads"] = 2, ["rotary_emb_dim"] = 2 },
        ["S5"] = new JObject { ["discretization"] = "zoh" },
        ["Centaurus"] = new JObject { ["sub_state_dim"] = 2 },
        ["Mamba"] = new JObject { ["d_conv"] = 3 },
    };

    public static TheoryData<string, string> EveryMixer()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in MixerRegistry.Names)
        {
            data.Add(name, "one prefill");
            data.Add(name, "two chunks");
        }
        return data;
    }

    private static LrnnConfig Config(string[] mixers) => new LrnnConfig
    {
        DModel = D, DState = 4, NLayer = mixers.Length, VocabSize = 37, MixerTypes = mixers,
        MixerKwargs = new JObject(mixers.Distinct().Where(s_kwargs.ContainsKey).Select(m => new JProperty(m, s_kwargs[m]))),
    }.Validate();

    [Theory]
    [MemberData(nameof(EveryMixer))]
    public void RightPaddedPrefillThenStepsEqualsEachSequenceAlone(string name, string prefill)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var mixer = MixerRegistry.Create(Config([name]), 0, ScalarType.Float64);
        mixer.eval();
        var batch = s_lengths.Length;
        var x = Normal(new Random(61), [batch, L + Steps, D], ScalarType.Float64, Device.CPU);
        var lengths = torch.tensor(s_lengths, [batch]);
        long[] chunks = prefill == "one prefill" ? [L] : [3, L - 3];   // two chunks: row 2 ends in the first, row 1 in the second

        using var cache = mixer.AllocateCache(batch, L + Steps, ScalarType.Float64, Device.CPU);
        var outputs = new List<Tensor>();
        var start = 0L;
        foreach (var chunk in chunks)
        {
            outputs.Add(mixer.Forward(x.narrow(1, start, chunk), new MixerContext { Lengths = lengths, Cache = cache }));
            start += chunk;
        }
        var prefilled = torch.cat([.. outputs], 1);                                                 // (B, L, D)
        var stepped = Enumerable.Range(0, (int)Steps).Select(j => mixer.Step(x.narrow(1, L + j, 1), cache)).ToArray();

        for (var b = 0; b < batch; b++)
        {
            var n = s_lengths[b];
            var row = x.narrow(0, b, 1);
            using var alone = mixer.AllocateCache(1, L + Steps, ScalarType.Float64, Device.CPU);
            var y = mixer.Forward(row.narrow(1, 0, n), new MixerContext { Cache = alone });
            Numerics.AssertClose(Doubles(y), Doubles(prefilled.narrow(0, b, 1).narrow(1, 0, n)), atol: 1e-9, rtol: 1e-9,
                what: $"{name} ({prefill}): row {b} outputs at its {n} valid positions");
            for (var j = 0; j < Steps; j++)
                Numerics.AssertClose(Doubles(mixer.Step(row.narrow(1, L + j, 1), alone)), Doubles(stepped[j].narrow(0, b, 1)), atol: 1e-9, rtol: 1e-9,
                    what: $"{name} ({prefill}): row {b} step {j} after a prefill of {n} valid tokens");
        }
    }

    /// <summary>The same rule through the language model: Prefill with lengths, then Step, over a model of every mixer.</summary>
    [Fact]
    public void ModelPrefillWithLengthsThenStepsEqualsEachSequenceAlone()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var model = new LrnnLMHeadModel(Config([.. MixerRegistry.Names.Where(n => !n.Contains("Test", StringComparison.Ordinal))]), ScalarType.Float64);
        model.eval();
        var batch = s_lengths.Length;
        var ids = Ids(new Random(62), batch, L + Steps, model.Config.VocabSize, Device.CPU);
        using var cache = model.AllocateInferenceCache(batch, L + Steps);
        var prefilled = model.Prefill(ids.narrow(1, 0, L), cache, numLastTokens: 0, lengths: torch.tensor(s_lengths, [batch]));
        var stepped = Enumerable.Range(0, (int)Steps).Select(j => model.Step(ids.narrow(1, L + j, 1), cache)).ToArray();
        for (var b = 0; b < batch; b++)
        {
            var n = s_lengths[b];
            using var alone = model.AllocateInferenceCache(1, L + Steps);
            var y = model.Prefill(ids.narrow(0, b, 1).narrow(1, 0, n), alone, numLastTokens: 0);
            Numerics.AssertClose(Doubles(y), Doubles(prefilled.narrow(0, b, 1).narrow(1, 0, n)), atol: 1e-8, rtol: 1e-8, what: $"row {b} prefill logits");
            for (var j = 0; j < Steps; j++)
                Numerics.AssertClose(Doubles(model.Step(ids.narrow(0, b, 1).narrow(1, L + j, 1), alone)), Doubles(stepped[j].narrow(0, b, 1)),
                    atol: 1e-8, rtol: 1e-8, what: $"row {b} step {j}");
        }
    }
}
