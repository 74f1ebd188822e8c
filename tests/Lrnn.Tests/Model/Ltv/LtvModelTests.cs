using Complex = System.Numerics.Complex;
using Lrnn.Tests.Support;
using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Models;
using Lrnn.Modules.Ltv;
using Lrnn.Torch;
using Lrnn.Torch.Optim;
using Newtonsoft.Json.Linq;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model.Ltv;

/// <summary>The LTV mixers inside a language model: generation paths, keys and shapes, training; and HiPPO-N.</summary>
public sealed class LtvModelTests
{
    private static readonly string[] s_everyLtv = ["Mamba", "RGLRU", "S7", "S5LTV"];

    /// <summary>A small model of <paramref name="mixers"/>; its Mamba layers in event mode (lrnnx's keys, integration timesteps).</summary>
    private static LrnnConfig Config(string[] mixers, JObject? kwargs = null)
    {
        kwargs = (JObject?)kwargs?.DeepClone() ?? [];
        if (mixers.Contains("Mamba")) ((JObject)(kwargs["Mamba"] ??= new JObject()))["event_mode"] = true;
        return new LrnnConfig
        {
            DModel = 16, DState = 4, NLayer = mixers.Length, VocabSize = 37, MixerTypes = mixers, DIntermediate = 32, PadVocabSizeMultiple = 8,
            MixerKwargs = kwargs.Count == 0 ? null : kwargs,
        }.Validate();
    }

    [Theory]
    [InlineData("mamba")]
    [InlineData("zoh")]
    [InlineData("bilinear")]
    public void PrefillThenStepsMatchForwardInALanguageModel(string discretization)
    {
        using var scope = torch.NewDisposeScope();
        var kwargs = new JObject
        {
            ["Mamba"] = new JObject { ["discretization"] = discretization, ["d_conv"] = 3 },
            ["S5LTV"] = new JObject { ["discretization"] = discretization == "mamba" ? "zoh" : discretization, ["conj_sym"] = true },
        };
        using var model = new LrnnLMHeadModel(Config(s_everyLtv, kwargs));
        StateEquivalence.AssertPrefillThenStepsMatchForward(model, Device.CPU, prompt: 6, steps: 4, seed: 21, what: discretization);
    }

    [Fact]
    public void IntegrationTimestepsReachTheEventDrivenMixers()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var mixer in new[] { "Mamba", "S5LTV" })
        {
            using var model = new LrnnLMHeadModel(Config([mixer]));
            var ids = Ids(new Random(23), 2, 6, model.Config.VocabSize, Device.CPU);
            var tau = Normal(new Random(24), [2, 6], ScalarType.Float32, Device.CPU).abs().add(0.5);
            var plain = Doubles(model.Forward(ids));
            var events = Doubles(model.Forward(ids, integrationTimesteps: tau));
            var change = plain.Zip(events, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(change > 1e-4, $"{mixer}: integration timesteps had no effect (largest logit change {change})");
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void PrefillThenStepsWithIntegrationTimestepsMatchForwardInALanguageModel(string device)
    {
        using var scope = torch.NewDisposeScope();
        const long batch = 2, prompt = 5, steps = 4;
        using var model = new LrnnLMHeadModel(Config(["Mamba", "attn", "S5LTV", "RGLRU"], new JObject { ["attn"] = new JObject { ["num_heads"] = 2 } }), device: device);
        var ids = Ids(new Random(26), batch, prompt + steps, model.Config.VocabSize, device);
        var tau = Normal(new Random(27), [batch, prompt + steps], ScalarType.Float32, device).abs().add(0.5);   // (B, L)
        var full = model.Forward(ids, integrationTimesteps: tau);                                                // (B, L, V_pad)

        using var cache = model.AllocateInferenceCache(batch, prompt + steps);
        var prefill = model.Prefill(ids.narrow(1, 0, prompt), cache, numLastTokens: 0, integrationTimesteps: tau.narrow(1, 0, prompt));
        Numerics.AssertClose(Doubles(full.narrow(1, 0, prompt)), Doubles(prefill), atol: 1e-4, what: "prefill logits");
        using var unitCache = model.AllocateInferenceCache(batch, prompt + steps);
        model.Prefill(ids.narrow(1, 0, prompt), unitCache, integrationTimesteps: tau.narrow(1, 0, prompt));
        for (var t = prompt; t < prompt + steps; t++)
        {
            var token = ids.narrow(1, t, 1);
            var timestep = t % 2 == 0 ? tau.narrow(1, t, 1) : tau.select(1, t);                                  // (B, 1) or (B)
            var expected = Doubles(full.narrow(1, t, 1));
            Numerics.AssertClose(expected, Doubles(model.Step(token, cache, timestep)), atol: 1e-4, what: $"step {t} logits");
            // The same steps without their timesteps (unit timesteps) are another function: the routing is what matched.
            var unit = Doubles(model.Step(token, unitCache));
            Assert.True(expected.Zip(unit, (a, b) => Math.Abs(a - b)).Max() > 1e-3, $"step {t}: the timestep made no difference");
        }
    }

    [Fact]
    public void MisshapedIntegrationTimestepsAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new LrnnLMHeadModel(Config(["Mamba", "attn"], new JObject { ["attn"] = new JObject { ["num_heads"] = 2 } }));
        var ids = Ids(new Random(28), 2, 4, model.Config.VocabSize, Device.CPU);
        using var cache = model.AllocateInferenceCache(2, 8);
        Assert.Contains("integration_timesteps must be (B, L) = [2, 4]",
            Assert.Throws<ArgumentException>(() => model.Prefill(ids, cache, integrationTimesteps: torch.ones([2, 5]))).Message);
        Assert.Contains("integration_timestep must be (B) or (B, 1) with B = 2",
            Assert.Throws<ArgumentException>(() => model.Step(ids.narrow(1, 0, 1), cache, torch.ones([3]))).Message);
        Assert.Equal(0, cache.Position);
    }

    [Theory]
    [InlineData("Mamba")]
    [InlineData("RGLRU")]
    [InlineData("S7")]
    [InlineData("S5LTV")]
    public void KeysAndShapesMatchTheApprovedList(string mixer)
    {
        using var model = new LrnnLMHeadModel(Config([mixer]) with { DModel = 64, DState = 16 });
        using var state = model.state_dict();
        Approvals.Verify($"{mixer}.keys", string.Concat(state.Where(kv => kv.Key.Contains(".mixer.")).Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]\n")));
    }

    /// <summary>This file's folder: Approvals looks two levels above the caller's path, i.e. tests/Lrnn.Tests/Approvals.</summary>

    [Fact]
    public void InitialisationSurvivesTheLanguageModel()
    {
        using var model = new LrnnLMHeadModel(Config(["Mamba", "RGLRU"]) with { DModel = 64 });
        var mamba = (Lrnn.Modules.Mixers.Mamba)model.backbone.Layer(0).mixer;
        // softplus(dt_proj.bias) in [dt_min, dt_max]: the LM's zeroing of Linear biases must not reach it.
        Assert.All(Doubles(mamba.dt_proj.bias), b => Assert.InRange(double.LogP1(Math.Exp(b)), 0.001 - 1e-7, 0.1 + 1e-7));
        Assert.Equal(Enumerable.Range(0, 128 * 4).Select(i => Math.Log(i % 4 + 1)), Doubles(mamba.A_log), new ToleranceComparer(1e-6));
        // RG-LRU: σ(a_log) in [0.9, 0.999], Griffin's range.
        var rglru = (Lrnn.Modules.Mixers.RgLru)model.backbone.Layer(1).mixer;
        Assert.All(Doubles(rglru.a_log), v => Assert.InRange(1 / (1 + Math.Exp(-v)), 0.9 - 1e-6, 0.999 + 1e-6));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double v) => 0;
    }

    [Fact]
    public void AHybridOfEveryMixerTypeTrains()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new LrnnLMHeadModel(Config([.. s_everyLtv, "LRU", "attn"], new JObject { ["attn"] = new JObject { ["num_heads"] = 2 } }));
        using var optimizer = new AdamW(model.parameters(), lr: 1e-2);
        // A learnable task: each sequence repeats a short random pattern.
        var pattern = Ids(new Random(22), 4, 4, 37, Device.CPU);
        var ids = torch.cat([pattern, pattern, pattern, pattern], 1);                         // (4, 16)
        var losses = new List<double>();
        for (var step = 0; step < 12; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            var logits = model.Forward(ids.narrow(1, 0, 15));
            var loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), ids.narrow(1, 1, 15).reshape(-1));
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
            losses.Add(loss.item<double>());
        }
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < 0.8 * losses[0], $"loss did not decrease: {string.Join(", ", losses.Select(l => l.ToString("F3")))}");
    }

    [Fact]
    public void HippoNDiagonalisesTheNormalPartOfHippoLegS()
    {
        const int n = 8;
        var (lambda, v) = HippoN.Diagonalise(n);
        // S = −½I + S_skew with S_skew[j,k] = −½√((2j+1)(2k+1)) below the diagonal, its negation above: S V = V diag(Λ).
        for (var j = 0; j < n; j++)
        for (var k = 0; k < n; k++)
        {
            var sv = Complex.Zero;
            for (var i = 0; i < n; i++)
            {
                var s = i == j ? -0.5 : (i < j ? -0.5 : 0.5) * Math.Sqrt((2.0 * j + 1) * (2.0 * i + 1));
                sv += s * v[i, k];
            }
            Assert.True((sv - lambda[k] * v[j, k]).Magnitude < 1e-10, $"(S V − V Λ)[{j}, {k}] = {sv - lambda[k] * v[j, k]}");
            var gram = Complex.Zero;
            for (var i = 0; i < n; i++) gram += Complex.Conjugate(v[i, j]) * v[i, k];
            Assert.True((gram - (j == k ? 1 : 0)).Magnitude < 1e-10, $"VᴴV[{j}, {k}] = {gram}");
        }
        Assert.All(lambda, l => Assert.Equal(-0.5, l.Real));
        Assert.Equal(lambda.Select(l => l.Imaginary).Order(), lambda.Select(l => l.Imaginary));       // eigh's ascending order
        // Conjugate pairs: ±ω.
        Numerics.AssertClose(lambda.Select(l => l.Imaginary).ToArray(), lambda.Reverse().Select(l => -l.Imaginary).ToArray(), atol: 1e-10);
    }
}
