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
/// CONTRIBUTING.md's example mixer (<see cref="EmaMixer"/>, shown there verbatim), registered with one line and run
/// through every path: forward against a float64 recurrence, prefill + steps, right padding, per-document reset.
/// </summary>
public sealed class EmaMixerTests
{
    static EmaMixerTests() => MixerRegistry.Register("EMA", EmaMixer.Schema, spec => new EmaMixer(spec));

    private static LrnnConfig Config() => (ConfigFor(["EMA", "attn"]) with
    {
        MixerKwargs = new JObject { ["EMA"] = new JObject { ["init_decay"] = 0.8 }, ["attn"] = new JObject { ["num_heads"] = 2 } },
    }).Validate();

    [Fact]
    public void ForwardIsTheRecurrence()
    {
        using var scope = torch.NewDisposeScope();
        using var mixer = MixerRegistry.Create(Config(), 0, ScalarType.Float64);
        var x = Normal(new Random(71), [2, 5, 16], ScalarType.Float64, Device.CPU);
        var xs = Doubles(x);
        var expected = new double[xs.Length];
        for (var b = 0; b < 2; b++)
        for (var d = 0; d < 16; d++)
        {
            var h = 0.0;
            for (var t = 0; t < 5; t++)
            {
                var i = (b * 5 + t) * 16 + d;
                expected[i] = h = 0.8 * h + 0.2 * xs[i];
            }
        }
        Numerics.AssertClose(expected, Doubles(mixer.Forward(x, MixerContext.None)), atol: 1e-12, what: "EMA forward");
    }

    [Fact]
    public void PrefillStepsPaddingAndDocumentsInALanguageModel()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new LrnnLMHeadModel(Config(), ScalarType.Float64);
        Assert.Contains("backbone.layers.0.mixer.decay_logit", model.named_parameters().Select(p => p.Name));
        var ids = Ids(new Random(72), 2, 8, model.Config.VocabSize, Device.CPU);
        var full = model.Forward(ids);                                                   // (B, L, V_pad)

        using var cache = model.AllocateInferenceCache(2, 8);
        var prefill = model.Prefill(ids.narrow(1, 0, 5), cache, numLastTokens: 0);
        var steps = Enumerable.Range(5, 3).Select(t => model.Step(ids.narrow(1, t, 1), cache));
        Numerics.AssertClose(Doubles(full), Doubles(torch.cat([prefill, .. steps], 1)), atol: 1e-10, what: "prefill + steps");

        // Row 1 padded after 3 tokens: its steps continue from its third token.
        using var padded = model.AllocateInferenceCache(2, 8);
        model.Prefill(ids.narrow(1, 0, 5), padded, lengths: torch.tensor(new long[] { 5, 3 }));
        using var alone = model.AllocateInferenceCache(1, 8);
        model.Prefill(ids.narrow(0, 1, 1).narrow(1, 0, 3), alone);
        Numerics.AssertClose(Doubles(model.Step(ids.narrow(0, 1, 1).narrow(1, 5, 1), alone)),
            Doubles(model.Step(ids.narrow(1, 5, 1), padded).narrow(0, 1, 1)), atol: 1e-10, what: "step after a padded prefill");

        // Two documents in row 0 (positions 0..2 and 3..7): the second runs from a fresh state.
        var documentIds = torch.tensor(new long[] { 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, [2, 8]);
        var packed = model.Forward(ids, documentIds: documentIds);
        var second = model.Forward(ids.narrow(0, 0, 1).narrow(1, 3, 5));
        Numerics.AssertClose(Doubles(second), Doubles(packed.narrow(0, 0, 1).narrow(1, 3, 5)), atol: 1e-10, what: "per-document reset");
    }

    /// <summary>The example in CONTRIBUTING.md is this file's mixer, character for character.</summary>
    [Fact]
    public void ContributingShowsThisMixer()
    {
        // The build's folder lies inside the repository; a published copy (the GPU bundle) runs from the repository's root.
        var root = RepositoryRoot(AppContext.BaseDirectory) ?? RepositoryRoot(Directory.GetCurrentDirectory());
        if (root is null) Assert.Skip("no repository around this test binary or the current folder (a published build elsewhere)");
        var source = File.ReadAllText(Path.Combine(root, "tests", "Lrnn.Tests", "Model", "EmaMixer.cs")).ReplaceLineEndings("\n");
        var guide = File.ReadAllText(Path.Combine(root, "CONTRIBUTING.md")).ReplaceLineEndings("\n");
        var body = source[source.IndexOf("public sealed class EmaMixer", StringComparison.Ordinal)..].TrimEnd();
        Assert.Contains(body, guide);
    }

    private static string? RepositoryRoot(string start)
    {
        for (var dir = start; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "CONTRIBUTING.md")) && File.Exists(Path.Combine(dir, "tests", "Lrnn.Tests", "Model", "EmaMixer.cs")))
                return dir;
        return null;
    }
}
