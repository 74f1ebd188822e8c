using System.Numerics;
using Lrnn.Config;
using Lrnn.Models;
using Lrnn.Modules;
using Lrnn.Modules.Lti;
using Lrnn.Modules.Mixers;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model.Lti;

public sealed class S4DTests
{
    private const long H = 4, N = 6, B = 2, L = 11;

    public static TheoryData<string, string> DevicesAndDiscretizations() => DevicesAnd("zoh", "bilinear");

    /// <summary>Every device × each of <paramref name="variants"/>; CUDA rows are skipped without a GPU.</summary>
    private static TheoryData<string, string> DevicesAnd(params string[] variants)
    {
        var data = new TheoryData<string, string>();
        foreach (var device in new[] { "cpu", "cuda" })
            foreach (var variant in variants)
                data.Add(new TheoryDataRow<string, string>(device, variant)
                {
                    Skip = TestDevices.SkipReason(device),
                });
        return data;
    }

    private static S4D Make(string disc, long channels = 1, string init = "legs", ScalarType? dtype = null, string device = "cpu") =>
        new(H, N, new S4Options { Disc = disc, Channels = channels, Init = init, NSsm = 2 }, dtype, device);

    /// <summary>
    /// The block's output (B, L, H) in float64 plain loops: the recurrence h_t = Āh_{t−1} + B̄u_t per feature and mode,
    /// y = 2 Re Σ C h + D u per channel, then GELU, GELU, Linear, GELU; flattened (c h), or (h c) with <paramref name="swap"/>.
    /// </summary>
    private static double[] Reference(S4D s4d, string disc, double[] x, long batch, long length, long[]? lengths = null, bool swap = false)
    {
        var invDt = Doubles(s4d.inv_dt); var aRe = Doubles(s4d.A_real); var aIm = Doubles(s4d.A_imag);
        var bs = Doubles(s4d.B); var cs = Doubles(s4d.C); var d = Doubles(s4d.D);
        var w = Doubles(s4d.output_linear![0].weight); var bias = Doubles(s4d.output_linear[0].bias!);
        var channels = s4d.D.size(0);
        var half = N / 2;
        var nSsm = s4d.A_real.size(0);
        var y = new double[batch * length * H];
        for (var b = 0; b < batch; b++)
        {
            var h = new Complex[H, half];
            for (var t = 0; t < length; t++)
            {
                var keep = lengths is null || t < lengths[b] ? 1.0 : 0.0;
                var flat = new double[channels * H];
                for (var f = 0; f < H; f++)
                {
                    var u = keep * x[(b * length + t) * H + f];
                    var dt = Math.Exp(invDt[f]);
                    var s = f % nSsm;
                    var acc = new double[channels];
                    for (var n = 0; n < half; n++)
                    {
                        var a = new Complex(-Math.Exp(aRe[s * half + n]), -aIm[s * half + n]);
                        var bn = new Complex(bs[(s * half + n) * 2], bs[(s * half + n) * 2 + 1]);
                        Complex dA, dB;
                        if (disc == "zoh") { dA = Complex.Exp(dt * a); dB = bn * (dA - 1) / a; }
                        else { dA = (1 + dt * a / 2) / (1 - dt * a / 2); dB = bn * dt / (1 - dt * a / 2); }
                        h[f, n] = dA * h[f, n] + dB * u;
                        for (var c = 0; c < channels; c++)
                        {
                            var idx = ((c * H + f) * half + n) * 2;
                            acc[c] += 2 * (new Complex(cs[idx], cs[idx + 1]) * h[f, n]).Real;
                        }
                    }
                    for (var c = 0; c < channels; c++) flat[swap ? f * channels + c : c * H + f] = ExactGelu.Of(ExactGelu.Of(acc[c] + d[c * H + f] * u));
                }
                for (var o = 0; o < H; o++)
                {
                    var z = bias[o];
                    for (var i = 0; i < channels * H; i++) z += w[o * channels * H + i] * flat[i];
                    y[(b * length + t) * H + o] = ExactGelu.Of(z);
                }
            }
        }
        return y;
    }


    [Theory]
    [MemberData(nameof(DevicesAndDiscretizations))]
    public void FftForwardMatchesFloat64Recurrence(string device, string disc)
    {
        using var scope = torch.NewDisposeScope();
        using var s4d = Make(disc, channels: 2, device: device);
        var x = Normal(new Random(1), [B, L, H], ScalarType.Float32, device);
        var y = s4d.Forward(x, MixerContext.None);
        Assert.Equal([B, L, H], y.shape);
        Numerics.AssertClose(Reference(s4d, disc, Doubles(x), B, L), Doubles(y), atol: 1e-5, what: $"S4D {disc} forward");
    }

    [Theory]
    [InlineData("diag-lin")]
    [InlineData("diag-inv")]
    [InlineData("diag")]
    [InlineData("legs")]
    public void InitsRunAndMatchTheRecurrence(string init)
    {
        using var scope = torch.NewDisposeScope();
        using var s4d = Make("zoh", init: init);
        var x = Normal(new Random(2), [1, L, H], ScalarType.Float32, Device.CPU);
        Numerics.AssertClose(Reference(s4d, "zoh", Doubles(x), 1, L), Doubles(s4d.Forward(x, MixerContext.None)), atol: 1e-5, what: init);
    }

    [Fact]
    public void InitialisationFollowsLrnnx()
    {
        using var s4d = new S4D(8, 8, new S4Options { Init = "diag-lin" });
        // diag-lin: A = −0.5 − iπn, stored as log 0.5 and clamp(πn, 1e-4); B = 1.
        Assert.All(Doubles(s4d.A_real), v => Assert.Equal(Math.Log(0.5), v, 6));
        Numerics.AssertClose(Enumerable.Range(0, 8).SelectMany(_ => new[] { 1e-4, Math.PI, 2 * Math.PI, 3 * Math.PI }).ToArray(), Doubles(s4d.A_imag), atol: 1e-5);
        Assert.All(Doubles(s4d.B).Where((_, i) => i % 2 == 0), v => Assert.Equal(1, v, 6));
        Assert.All(Doubles(s4d.inv_dt), v => Assert.InRange(v, Math.Log(0.001), Math.Log(0.1)));

        // legs: the NPLR HiPPO-LegS eigenvalues −0.5 + iω, ω from PyTorch's eigh (N = 8: ±0.4275, ±1.9578, ±5.3542, ±19.8574).
        using var legs = new S4D(2, 8);
        Numerics.AssertClose([19.8574, 5.3542, 1.9578, 0.4275, 19.8574, 5.3542, 1.9578, 0.4275], Doubles(legs.A_imag), atol: 1e-4);
        // Vᴴ B_legs with Im clipped to ±2; lrnnx's values up to the sign of each eigenvector: (∓0.1298, ∓2), (±0.1714, ±1.8359), …
        var b = Doubles(legs.B).Take(8).Select(Math.Abs).ToArray();
        Numerics.AssertClose([0.1298, 2.0, 0.1714, 1.8359, 0.2907, 1.1384, 0.6076, 0.5195], b, atol: 1e-4);
    }

    [Theory]
    [MemberData(nameof(DevicesAndDiscretizations))]
    public void PrefillThenStepsMatchForward(string device, string disc)
    {
        using var scope = torch.NewDisposeScope();
        using var s4d = Make(disc, device: device);
        var x = Normal(new Random(3), [B, L, H], ScalarType.Float32, device);
        var full = Doubles(s4d.Forward(x, MixerContext.None));
        using var cache = s4d.AllocateCache(B, L, ScalarType.Float32, device);
        const long prompt = 4;
        var first = s4d.Forward(x.narrow(1, 0, prompt), new MixerContext { Cache = cache });
        var second = s4d.Forward(x.narrow(1, prompt, 3), new MixerContext { Cache = cache });   // a prefill that continues a cache
        var steps = Enumerable.Range((int)prompt + 3, (int)(L - prompt - 3)).Select(t => s4d.Step(x.narrow(1, t, 1), cache)).ToList();
        Numerics.AssertClose(full, Doubles(torch.cat([first, second, .. steps], 1)), atol: 1e-5, what: $"{disc} prefill + steps vs forward");
        Assert.Equal(L, cache.Position);
    }

    [Fact]
    public void SwapChannelsFlattensFeatureMajorInForwardAndStep()
    {
        using var scope = torch.NewDisposeScope();
        using var s4d = new S4D(H, N, new S4Options { Channels = 3, SwapChannels = true, NSsm = 2 });
        var x = Normal(new Random(11), [B, L, H], ScalarType.Float32, Device.CPU);
        var expected = Reference(s4d, "zoh", Doubles(x), B, L, swap: true);
        Numerics.AssertClose(expected, Doubles(s4d.Forward(x, MixerContext.None)), atol: 1e-5, what: "forward (h c)");
        using var cache = s4d.AllocateCache(B, L, ScalarType.Float32, Device.CPU);
        var steps = Enumerable.Range(0, (int)L).Select(t => s4d.Step(x.narrow(1, t, 1), cache)).ToList();
        Numerics.AssertClose(expected, Doubles(torch.cat(steps, 1)), atol: 1e-5, what: "steps (h c)");
    }

    [Fact]
    public void LengthsZeroThePaddingInputs()
    {
        using var scope = torch.NewDisposeScope();
        using var s4d = Make("zoh");
        var x = Normal(new Random(4), [B, L, H], ScalarType.Float32, Device.CPU);
        long[] lengths = [5, 9];
        var y = s4d.Forward(x, new MixerContext { Lengths = torch.tensor(lengths, [B]) });
        Numerics.AssertClose(Reference(s4d, "zoh", Doubles(x), B, L, lengths), Doubles(y), atol: 1e-5, what: "masked forward");
        var unmasked = Doubles(s4d.Forward(x, MixerContext.None));
        Assert.NotEqual(unmasked[(1 * L + 10) * H], Doubles(y)[(1 * L + 10) * H]);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(7L)]
    [InlineData(300L)]
    public void SequenceLengthsOneOddAndLong(long length)
    {
        using var scope = torch.NewDisposeScope();
        using var s4d = Make("bilinear");
        var x = Normal(new Random(5), [1, length, H], ScalarType.Float32, Device.CPU);
        Numerics.AssertClose(Reference(s4d, "bilinear", Doubles(x), 1, length), Doubles(s4d.Forward(x, MixerContext.None)), atol: 2e-5, what: $"L={length}");
    }

    [Fact]
    public void LMaxTruncatesTheKernel()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var capped = new S4D(H, N, new S4Options { LMax = 1 });
        // A one-tap kernel: y_t depends on x_t alone, so changing x_0 leaves y_1.. unchanged.
        var x = Normal(new Random(6), [1, 5, H], ScalarType.Float32, Device.CPU);
        var y = Doubles(capped.Forward(x, MixerContext.None));
        using var x2 = x.clone();
        x2.narrow(1, 0, 1).fill_(3.0);
        var y2 = Doubles(capped.Forward(x2, MixerContext.None));
        Numerics.AssertClose(y.Skip((int)H).ToArray(), y2.Skip((int)H).ToArray(), atol: 1e-6);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        using var scope = torch.NewDisposeScope();
        using var s4d = new S4D(3, 4, new S4Options { Disc = "bilinear", Channels = 2, DtMin = 0.1, DtMax = 0.5 }, ScalarType.Float64);
        var x = Normal(new Random(7), [1, 6, 3], ScalarType.Float64, Device.CPU).requires_grad_();
        var weights = Normal(new Random(8), [1, 6, 3], ScalarType.Float64, Device.CPU);
        Tensor Loss() => s4d.Forward(x, MixerContext.None).mul(weights).sum();
        Loss().backward();
        foreach (var (name, tensor) in s4d.named_parameters().Append(("x", x)))
        {
            var numeric = GradCheck.Numeric(tensor, () => Loss().item<double>());
            Numerics.AssertClose(numeric, Doubles(tensor.grad!), atol: 1e-6, rtol: 1e-5, what: $"d loss / d {name}");
        }
    }

    [Fact]
    public void HalfPrecisionComputesTheKernelInFloat32()
    {
        using var scope = torch.NewDisposeScope();
        using var s4d = Make("zoh");
        var x = Normal(new Random(9), [B, L, H], ScalarType.Float32, Device.CPU);
        var reference = Doubles(s4d.Forward(x, MixerContext.None));
        s4d.to(ScalarType.BFloat16);
        var y = s4d.Forward(x.to(ScalarType.BFloat16), MixerContext.None);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Numerics.AssertClose(reference, Doubles(y), atol: 0.05, rtol: 0.05, what: "bf16 vs float32");
    }

    private static string KeysOf(Lrnn.Torch.Modules.Module module)
    {
        using var state = module.state_dict();
        return string.Concat(state.Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}] {kv.Value.dtype}\n"));
    }

    [Fact]
    public void KeysAndShapesMatchLrnnx()
    {
        using var s4d = new S4D(8, 16, new S4Options { Channels = 2, NSsm = 4, DtTie = false });
        Approvals.Verify("S4D.keys", KeysOf(s4d));
    }

    /// <summary>A path two levels under the test project, so that Approvals finds tests/Lrnn.Tests/Approvals from this subfolder.</summary>

    public static TheoryData<string, string> DevicesAndStacks() => DevicesAnd("S4D", "hybrid");

    [Theory]
    [MemberData(nameof(DevicesAndStacks))]
    public void PrefillThenStepsMatchForwardInsideAModel(string device, string stack)
    {
        using var scope = torch.NewDisposeScope();
        string[] types = stack == "S4D" ? ["S4D", "S4D"] : ["S4D", "attn", "LRU", "S4D"];
        var config = ConfigFor(types, dIntermediate: 24) with
        {
            MixerKwargs = new JObject
            {
                ["S4D"] = new JObject { ["disc"] = "bilinear", ["channels"] = 2 },
                ["attn"] = new JObject { ["num_heads"] = 4 },
            },
        };
        using var model = new LrnnLMHeadModel(config.Validate(), device: device);
        StateEquivalence.AssertPrefillThenStepsMatchForward(model, device, prompt: 5, steps: 4, seed: 10, what: stack);
    }

    [Fact]
    public void UnsupportedKwargsAreRejectedWithReasons()
    {
        LrnnConfig With(JObject kwargs) => ConfigFor(["S4D"]) with { MixerKwargs = new JObject { ["S4D"] = kwargs } };
        Assert.Contains("disc", Assert.Throws<LrnnConfigException>(() => With(new JObject { ["disc"] = "foh" }).Validate()).Message);
        Assert.Contains("transposed", Assert.Throws<LrnnConfigException>(() => With(new JObject { ["transposed"] = true }).Validate()).Message);
        Assert.Contains("n_ssm", Assert.Throws<LrnnConfigException>(() => With(new JObject { ["n_ssm"] = 3 }).Validate()).Message);
    }
}
