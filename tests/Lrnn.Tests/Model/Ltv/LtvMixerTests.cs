using Lrnn.Inference;
using Lrnn.Modules;
using Lrnn.Modules.Lti;
using Lrnn.Modules.Mixers;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model.Ltv;

/// <summary>
/// Every LTV mixer (and every discretisation) against its float64 recurrence, Prefill + Step ≡ Forward (event mode
/// included), right-padded batches ≡ sequences run alone (outputs and final caches), and finite-difference gradients.
/// </summary>
public sealed class LtvMixerTests
{
    private const long H = 5, N = 3, B = 2, L = 9;

    /// <summary>A mixer under test, its float64 reference (one sequence [t][h] → [t][h], τ or null) and whether it has an event mode.</summary>
    private sealed record Case(Mixer Mixer, Func<double[][], double[]?, double[][]> Reference, bool EventMode);

    private static Case Make(string name, ScalarType dtype, Device device, long h = H, long n = N)
    {
        switch (name.Split('-'))
        {
            case ["RGLRU"]:
            {
                var m = new RgLru(h, dConv: 3, c: 8, dtype: dtype, device: device);
                return new Case(m, (u, _) => LtvReference.RgLru(m, u, 8), false);
            }
            case ["S7"]:
            {
                var m = new S7(h, n, dtype, device);
                return new Case(m, (u, _) => LtvReference.S7(m, u, (int)n), false);
            }
            case ["S5LTV", var method, var sym]:
            {
                var m = new S5Ltv(h, n, method, conjSym: sym == "conj", dtMin: 0.05, dtMax: 0.5, stepRescale: 1.5, dtype: dtype, device: device);
                return new Case(m, (u, tau) => LtvReference.S5Ltv(m, u, method, sym == "conj", 1.5, tau), true);
            }
            case ["Mamba", var method]:
            {
                var m = new Mamba(h, n, dConv: 3, expand: 2, dtMin: 0.1, dtMax: 1.0, discretization: method, eventMode: true, dtype: dtype, device: device);
                using (torch.no_grad())
                {
                    m.dtA_proj!.bias.uniform_(-1, 1);    // a wider range than dt_min..dt_max draws
                    m.x_proj.weight.mul_(4);             // B, C of order 1, so the state's share of y (and the discretisation) shows
                }
                return new Case(m, (u, tau) => LtvReference.Mamba(m, u, method, (int)n, tau), true);
            }
            default: throw new ArgumentOutOfRangeException(nameof(name));
        }
    }

    private static readonly string[] s_cases =
        ["RGLRU", "S7", "S5LTV-zoh-plain", "S5LTV-bilinear-conj", "S5LTV-dirac-plain", "Mamba-mamba", "Mamba-zoh", "Mamba-bilinear", "Mamba-dirac"];

    public static TheoryData<string, string> CasesOnDevices()
    {
        var data = new TheoryData<string, string>();
        foreach (var device in new[] { "cpu", "cuda" })
        foreach (var name in s_cases)
            data.Add(new TheoryDataRow<string, string>(name, device) { Skip = TestDevices.SkipReason(device) });
        return data;
    }

    public static TheoryData<string> Cases() => new(s_cases);

    /// <summary>Integration timesteps (B, L) in [0.2, 2.2], as tensor and per sequence.</summary>
    private static (Tensor Tensor, double[][] PerSequence) Timesteps(Random rng, long batch, long length, Device device)
    {
        var values = Enumerable.Range(0, (int)(batch * length)).Select(_ => 0.2 + 2 * rng.NextDouble()).ToArray();
        var perSequence = Enumerable.Range(0, (int)batch).Select(b => values.Skip((int)(b * length)).Take((int)length).ToArray()).ToArray();
        using var t = torch.tensor(values, [batch, length]);
        return (t.to(ScalarType.Float32, device), perSequence);
    }

    private static double[] ReferenceBatch(Case c, double[] x, long batch, long length, double[][]? tau) =>
        Enumerable.Range(0, (int)batch).SelectMany(b => c.Reference(LtvReference.Sequence(x, b, length, H), tau?[b]).SelectMany(v => v)).ToArray();

    [Theory]
    [MemberData(nameof(CasesOnDevices))]
    public void ForwardMatchesFloat64Recurrence(string name, string device)
    {
        using var scope = torch.NewDisposeScope();
        var c = Make(name, ScalarType.Float32, device);
        using var mixer = c.Mixer;
        var x = Normal(new Random(1), [B, L, H], ScalarType.Float32, device);
        var y = mixer.Forward(x, MixerContext.None);
        Assert.Equal([B, L, H], y.shape);
        Numerics.AssertClose(ReferenceBatch(c, Doubles(x), B, L, null), Doubles(y), atol: 2e-4, rtol: 1e-4, what: $"{name} forward");

        if (!c.EventMode) return;
        var (tau, perSequence) = Timesteps(new Random(2), B, L, device);
        var yEvent = mixer.Forward(x, new MixerContext { IntegrationTimesteps = tau });
        Numerics.AssertClose(ReferenceBatch(c, Doubles(x), B, L, perSequence), Doubles(yEvent), atol: 2e-4, rtol: 1e-4, what: $"{name} event mode");
    }

    [Fact]
    public void SlowDecaysStayAccurateOverLongSequences()
    {
        // Decays close to 1 (RGLRU: a_t = a^{8r} ≥ 0.992; S5LTV: |Ā| = e^{−Δ/2} ≥ 0.9995): the states integrate hundreds of
        // tokens, where chunked scans accumulate round-off.
        using var scope = torch.NewDisposeScope();
        const long length = 1024;
        using var rglru = new RgLru(H, dConv: 3, aMin: 0.999, aMax: 0.9999);
        using var s5 = new S5Ltv(H, N, "zoh", dtMin: 1e-4, dtMax: 1e-3);
        var x = Normal(new Random(10), [1, length, H], ScalarType.Float32, Device.CPU);
        var u = LtvReference.Sequence(Doubles(x), 0, length, H);
        Numerics.AssertClose(LtvReference.RgLru(rglru, u, 8).SelectMany(v => v).ToArray(), Doubles(rglru.Forward(x, MixerContext.None)),
            atol: 1e-4, rtol: 1e-4, what: "RGLRU over 1024 tokens");
        Numerics.AssertClose(LtvReference.S5Ltv(s5, u, "zoh", false, 1.0).SelectMany(v => v).ToArray(), Doubles(s5.Forward(x, MixerContext.None)),
            atol: 1e-4, rtol: 1e-4, what: "S5LTV over 1024 tokens");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PrefillThenStepsMatchForward(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Make(name, ScalarType.Float32, Device.CPU);
        using var mixer = c.Mixer;
        var x = Normal(new Random(3), [B, L, H], ScalarType.Float32, Device.CPU);
        var (tau, _) = Timesteps(new Random(4), B, L, Device.CPU);
        foreach (var eventMode in c.EventMode ? new[] { false, true } : [false])
        {
            var timesteps = eventMode ? tau : null;
            var full = Doubles(mixer.Forward(x, new MixerContext { IntegrationTimesteps = timesteps }));
            using var cache = (LtvCache)mixer.AllocateCache(B, L, ScalarType.Float32, Device.CPU);
            // Two prefills (the second continues the first: conv tail and state), then steps.
            var first = mixer.Forward(x.narrow(1, 0, 2), new MixerContext { Cache = cache, IntegrationTimesteps = timesteps?.narrow(1, 0, 2) });
            var second = mixer.Forward(x.narrow(1, 2, 3), new MixerContext { Cache = cache, IntegrationTimesteps = timesteps?.narrow(1, 2, 3) });
            var steps = new List<Tensor>();
            for (var t = 5; t < L; t++)
            {
                steps.Add(mixer.Step(x.narrow(1, t, 1), cache, new StepContext { IntegrationTimestep = timesteps?.select(1, t) }));
            }
            Numerics.AssertClose(full, Doubles(torch.cat([first, second, .. steps], 1)), atol: 1e-5, rtol: 1e-5, what: $"{name} (event mode: {eventMode}) prefill + steps");
            Assert.Equal(L, cache.Position);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RightPaddedSequencesMatchRunningAlone(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Make(name, ScalarType.Float32, Device.CPU);
        using var mixer = c.Mixer;
        const long shortLength = 4;
        var x = Normal(new Random(5), [B, L, H], ScalarType.Float32, Device.CPU);
        using var cache = (LtvCache)mixer.AllocateCache(B, L, ScalarType.Float32, Device.CPU);
        var y = mixer.Forward(x, new MixerContext { Lengths = torch.tensor(new long[] { L, shortLength }), Cache = cache });

        foreach (var (b, length) in new[] { (0L, L), (1L, shortLength) })
        {
            using var alone = (LtvCache)mixer.AllocateCache(1, L, ScalarType.Float32, Device.CPU);
            var yAlone = mixer.Forward(x.narrow(0, b, 1).narrow(1, 0, length), new MixerContext { Cache = alone });
            Numerics.AssertClose(Doubles(yAlone), Doubles(y.narrow(0, b, 1).narrow(1, 0, length)), atol: 1e-5, rtol: 1e-5, what: $"{name}: sequence {b} outputs");
            Numerics.AssertClose(Doubles(AsReal(alone.State)), Doubles(AsReal(cache.State.narrow(0, b, 1))),
                atol: 1e-5, rtol: 1e-5, what: $"{name}: sequence {b} final state");
            if (alone.ConvState is { } conv)
                Numerics.AssertClose(Doubles(conv), Doubles(cache.ConvState!.narrow(0, b, 1)), atol: 1e-6, rtol: 1e-6, what: $"{name}: sequence {b} conv state"); // GEMM results: the batch changes the blocking
        }
    }

    /// <summary>
    /// lengths count whole sequences, as for the LTI mixers (LengthMask): a padded batch prefilled in two chunks, with the
    /// same lengths passed to both, ends in the state, and gives the valid outputs, of one prefill. The second sequence ends inside the
    /// first chunk (so the whole second chunk is padding for it), and the first ends inside the second.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void LengthsCountWholeSequencesAcrossChunkedPrefills(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Make(name, ScalarType.Float32, Device.CPU);
        using var mixer = c.Mixer;
        const long first = 5;
        var lengths = torch.tensor(new long[] { L - 2, 3 });
        var x = Normal(new Random(9), [B, L, H], ScalarType.Float32, Device.CPU);
        using var once = (LtvCache)mixer.AllocateCache(B, L, ScalarType.Float32, Device.CPU);
        var whole = mixer.Forward(x, new MixerContext { Lengths = lengths, Cache = once });
        using var chunked = (LtvCache)mixer.AllocateCache(B, L, ScalarType.Float32, Device.CPU);
        var head = mixer.Forward(x.narrow(1, 0, first), new MixerContext { Lengths = lengths, Cache = chunked });
        var tail = mixer.Forward(x.narrow(1, first, L - first), new MixerContext { Lengths = lengths, Cache = chunked });
        // Outputs at padding positions are not defined (Mamba's there read a conv window that the cache cut at the end).
        var valid = LengthMask.Valid(lengths, B, L, 0, Device.CPU).unsqueeze(-1);                           // (B, L, 1)
        Numerics.AssertClose(Doubles(whole.mul(valid)), Doubles(torch.cat([head, tail], 1).mul(valid)), atol: 1e-5, rtol: 1e-5,
            what: $"{name}: outputs at valid positions");
        Numerics.AssertClose(Doubles(AsReal(once.State)), Doubles(AsReal(chunked.State)), atol: 1e-5, rtol: 1e-5, what: $"{name}: final states");
        if (once.ConvState is { } conv)
            Numerics.AssertClose(Doubles(conv), Doubles(chunked.ConvState!), atol: 1e-6, rtol: 1e-6, what: $"{name}: conv states");
    }

    [Theory]
    [InlineData("RGLRU")]
    [InlineData("S7")]
    [InlineData("S5LTV-zoh-conj")]
    [InlineData("Mamba-zoh")]
    public void BFloat16ModelsKeepTheirStatesInFloat32(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Make(name, ScalarType.Float32, Device.CPU);
        using var mixer = c.Mixer;
        var x = Normal(new Random(9), [B, L, H], ScalarType.Float32, Device.CPU);
        var reference = Doubles(mixer.Forward(x, MixerContext.None));
        mixer.to(ScalarType.BFloat16);
        var half = x.to(ScalarType.BFloat16);
        var y = mixer.Forward(half, MixerContext.None);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Numerics.AssertClose(reference, Doubles(y), atol: 0.08, rtol: 0.04, what: $"{name}: bfloat16 vs float32");

        using var cache = (LtvCache)mixer.AllocateCache(B, L, ScalarType.BFloat16, Device.CPU);
        Assert.Contains(cache.State.dtype, new[] { ScalarType.Float32, ScalarType.ComplexFloat32 });
        var prefill = mixer.Forward(half.narrow(1, 0, L - 1), new MixerContext { Cache = cache });
        var step = mixer.Step(half.narrow(1, L - 1, 1), cache);
        Numerics.AssertClose(Doubles(y), Doubles(torch.cat([prefill, step], 1)), atol: 0.03, rtol: 0.02, what: $"{name}: bfloat16 prefill + step");
    }

    private static Tensor AsReal(Tensor t) => t.dtype.IsComplex() ? torch.view_as_real(t) : t;

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchFiniteDifferences(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Make(name, ScalarType.Float64, Device.CPU, h: 3, n: 2);
        using var mixer = c.Mixer;
        var x = Normal(new Random(6), [1, 5, 3], ScalarType.Float64, Device.CPU).requires_grad_();
        var weights = Normal(new Random(7), [1, 5, 3], ScalarType.Float64, Device.CPU);
        var (tau, _) = Timesteps(new Random(8), 1, 5, Device.CPU);
        var context = c.EventMode ? new MixerContext { IntegrationTimesteps = tau.to(ScalarType.Float64) } : MixerContext.None;
        Tensor Loss() => mixer.Forward(x, context).mul(weights).sum();

        Loss().backward();
        foreach (var (parameter, tensor) in mixer.named_parameters().Append(("x", x)))
        {
            var numeric = GradCheck.Numeric(tensor, () => Loss().item<double>());
            var analytic = tensor.grad is { } g ? Doubles(g) : new double[numeric.Length];    // unused (dtA_proj.weight): no gradient
            Numerics.AssertClose(numeric, analytic, atol: 1e-6, rtol: 1e-5, what: $"{name}: d loss / d {parameter}");
        }
    }
}
