using Lrnn.Inference;
using System.Numerics;
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

public sealed class S4Tests
{
    private const long H = 4, N = 6, B = 2, L = 11;

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

    /// <summary>"legs": NPLR HiPPO-LegS, rank 1; "dplr2": a random rank-2 P on a diagonal (A stays stable: −PPᴴ ⪯ 0).</summary>
    public static TheoryData<string, string> DevicesAndInits() => DevicesAnd("legs", "dplr2");

    private static S4 Make(string init = "legs", long channels = 1, ScalarType? dtype = null, string device = "cpu", long? lMax = null) =>
        init == "dplr2"
            ? new(H, N, new S4Options { Init = "dplr-lin", Rank = 2, Channels = channels, NSsm = 2, LMax = lMax }, dtype, device)
            : new(H, N, new S4Options { Init = init, Channels = channels, NSsm = 2, LMax = lMax }, dtype, device);

    /// <summary>The SSM of feature f in float64, full basis (M = N states [x, x̄]): Ā, B̄ by dense solves, and C̃ as stored.</summary>
    private sealed record DenseSsm(Complex[,] A, Complex[] B, Complex[][] CTilde);

    private static DenseSsm Dense(S4 s4, int f)
    {
        var invDt = Doubles(s4.inv_dt); var aRe = Doubles(s4.A_real); var aIm = Doubles(s4.A_imag);
        var bs = Doubles(s4.B); var cs = Doubles(s4.C); var ps = Doubles(s4.P!);
        var (half, m, nSsm, rank, channels) = ((int)(N / 2), (int)N, (int)s4.A_real.size(0), (int)s4.P!.size(0), (int)s4.C.size(0));
        var s = f % nSsm;
        Complex Full(double[] v, int offset, int i) =>
            i < half ? new Complex(v[(offset + i) * 2], v[(offset + i) * 2 + 1]) : Complex.Conjugate(new Complex(v[(offset + i - half) * 2], v[(offset + i - half) * 2 + 1]));
        var lambda = Enumerable.Range(0, m).Select(i => i < half
            ? new Complex(-Math.Exp(aRe[s * half + i]), -aIm[s * half + i])
            : new Complex(-Math.Exp(aRe[s * half + i - half]), aIm[s * half + i - half])).ToArray();
        var a = new Complex[m, m];
        for (var i = 0; i < m; i++)
            for (var k = 0; k < m; k++)
            {
                a[i, k] = i == k ? lambda[i] : 0;
                for (var r = 0; r < rank; r++) a[i, k] -= Full(ps, (r * nSsm + s) * half, i) * Complex.Conjugate(Full(ps, (r * nSsm + s) * half, k));
            }
        var dt = Math.Exp(invDt[f]);
        var (left, right) = (new Complex[m, m], new Complex[m, m + 1]);
        for (var i = 0; i < m; i++)
        {
            for (var k = 0; k < m; k++)
            {
                left[i, k] = (i == k ? 2 / dt : 0) - a[i, k];
                right[i, k] = (i == k ? 2 / dt : 0) + a[i, k];
            }
            right[i, m] = 2 * Full(bs, s * half, i);
        }
        var solved = Solve(left, right);                                                        // [Ā | B̄]
        var dA = new Complex[m, m];
        for (var i = 0; i < m; i++)
            for (var k = 0; k < m; k++) dA[i, k] = solved[i, k];
        var cTilde = Enumerable.Range(0, channels).Select(c => Enumerable.Range(0, m).Select(i => Full(cs, (c * (int)H + f) * half, i)).ToArray()).ToArray();
        return new DenseSsm(dA, Enumerable.Range(0, m).Select(i => solved[i, m]).ToArray(), cTilde);
    }

    /// <summary>X with A X = R by Gaussian elimination with partial pivoting (R has any number of columns).</summary>
    private static Complex[,] Solve(Complex[,] a, Complex[,] rhs)
    {
        var (n, cols) = (a.GetLength(0), rhs.GetLength(1));
        var (m, x) = ((Complex[,])a.Clone(), (Complex[,])rhs.Clone());
        for (var col = 0; col < n; col++)
        {
            var pivot = Enumerable.Range(col, n - col).MaxBy(r => m[r, col].Magnitude);
            for (var k = 0; k < n; k++) (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
            for (var k = 0; k < cols; k++) (x[col, k], x[pivot, k]) = (x[pivot, k], x[col, k]);
            for (var r = 0; r < n; r++)
            {
                if (r == col) continue;
                var factor = m[r, col] / m[col, col];
                for (var k = 0; k < n; k++) m[r, k] -= factor * m[col, k];
                for (var k = 0; k < cols; k++) x[r, k] -= factor * x[col, k];
            }
        }
        for (var r = 0; r < n; r++)
            for (var k = 0; k < cols; k++) x[r, k] /= m[r, r];
        return x;
    }

    private static Complex[,] Power(Complex[,] a, long exponent)
    {
        var n = a.GetLength(0);
        var result = new Complex[n, n];
        for (var i = 0; i < n; i++) result[i, i] = 1;
        for (var e = 0; e < exponent; e++)
        {
            var next = new Complex[n, n];
            for (var i = 0; i < n; i++)
                for (var k = 0; k < n; k++)
                    for (var j = 0; j < n; j++) next[i, k] += result[i, j] * a[j, k];
            result = next;
        }
        return result;
    }

    /// <summary>C = (I − (Ā^{L_k})ᵀ)⁻¹ C̃ by a dense solve (L_k = 0: C̃ is C).</summary>
    private static Complex[] RecoverC(Complex[,] dA, Complex[] cTilde, long kernelLength)
    {
        if (kernelLength == 0) return cTilde;
        var n = cTilde.Length;
        var power = Power(dA, kernelLength);
        var (system, rhs) = (new Complex[n, n], new Complex[n, 1]);
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < n; k++) system[i, k] = (i == k ? 1 : 0) - power[k, i];
            rhs[i, 0] = cTilde[i];
        }
        var solved = Solve(system, rhs);
        return Enumerable.Range(0, n).Select(i => solved[i, 0]).ToArray();
    }

    /// <summary>
    /// The block's output (B, L, H) in float64 plain loops: the dense recurrence h_t = Āh_{t−1} + B̄u_t per feature,
    /// y = Re(C h) + D u per channel with C recovered from the stored C̃, then GELU, GELU, Linear, GELU.
    /// </summary>
    private static double[] Reference(S4 s4, double[] x, long batch, long length)
    {
        var d = Doubles(s4.D);
        var w = Doubles(s4.output_linear![0].weight); var bias = Doubles(s4.output_linear[0].bias!);
        var channels = (int)s4.D.size(0);
        var ssms = Enumerable.Range(0, (int)H).Select(f => Dense(s4, f)).ToArray();
        var outputs = ssms.Select(ssm => ssm.CTilde.Select(c => RecoverC(ssm.A, c, s4.KernelLength)).ToArray()).ToArray();
        var y = new double[batch * length * H];
        for (var b = 0; b < batch; b++)
        {
            var h = new Complex[H][];
            for (var f = 0; f < H; f++) h[f] = new Complex[N];
            for (var t = 0; t < length; t++)
            {
                var flat = new double[channels * H];
                for (var f = 0; f < H; f++)
                {
                    var u = x[(b * length + t) * H + f];
                    var next = new Complex[N];
                    for (var i = 0; i < N; i++)
                    {
                        next[i] = ssms[f].B[i] * u;
                        for (var k = 0; k < N; k++) next[i] += ssms[f].A[i, k] * h[f][k];
                    }
                    h[f] = next;
                    for (var c = 0; c < channels; c++)
                    {
                        var acc = Complex.Zero;
                        for (var i = 0; i < N; i++) acc += outputs[f][c][i] * next[i];
                        flat[c * H + f] = ExactGelu.Of(ExactGelu.Of(acc.Real + d[c * H + f] * u));
                    }
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
    [MemberData(nameof(DevicesAndInits))]
    public void FftForwardMatchesFloat64Recurrence(string device, string init)
    {
        using var scope = torch.NewDisposeScope();
        using var s4 = Make(init, channels: 2, device: device);
        var x = Normal(new Random(1), [B, L, H], ScalarType.Float32, device);
        var y = s4.Forward(x, MixerContext.None);
        Assert.Equal([B, L, H], y.shape);
        Assert.Equal(L, s4.KernelLength);
        Numerics.AssertClose(Reference(s4, Doubles(x), B, L), Doubles(y), atol: 1e-5, what: $"S4 {init} forward");
    }

    [Fact]
    public void FirstForwardStoresCTildeAsLrnnx()
    {
        using var scope = torch.NewDisposeScope();
        using var s4 = Make(channels: 2);
        Assert.Equal(0, s4.KernelLength);
        var before = Enumerable.Range(0, (int)H).Select(f => Dense(s4, f)).ToArray();
        s4.Forward(Normal(new Random(2), [1, 7, H], ScalarType.Float32, Device.CPU), MixerContext.None);
        Assert.Equal(7, s4.KernelLength);
        var after = Enumerable.Range(0, (int)H).Select(f => Dense(s4, f)).ToArray();
        for (var f = 0; f < H; f++)
        {
            var power = Power(before[f].A, 7);
            for (var c = 0; c < 2; c++)
            {
                // C̃_i = C_i − Σ_k (Ā^7)_{k i} C_k, compared on the stored half.
                var expected = Enumerable.Range(0, (int)N / 2).SelectMany(i =>
                {
                    var v = before[f].CTilde[c][i];
                    for (var k = 0; k < N; k++) v -= power[k, i] * before[f].CTilde[c][k];
                    return new[] { v.Real, v.Imaginary };
                }).ToArray();
                var stored = after[f].CTilde[c].Take((int)N / 2).SelectMany(v => new[] { v.Real, v.Imaginary }).ToArray();
                Numerics.AssertClose(expected, stored, atol: 1e-5, what: $"C̃ feature {f} channel {c}");
            }
        }
    }

    [Fact]
    public void LongerSequenceDoublesTheKernelLengthAndShorterTruncates()
    {
        using var scope = torch.NewDisposeScope();
        using var s4 = Make();
        s4.eval();                                                                              // doubling while training is refused
        var x = Normal(new Random(3), [1, 23, H], ScalarType.Float32, Device.CPU);
        s4.Forward(x.narrow(1, 0, 5), MixerContext.None);
        Assert.Equal(5, s4.KernelLength);
        var y = s4.Forward(x, MixerContext.None);
        Assert.Equal(40, s4.KernelLength);                                                      // 5 → 10 → 20 → 40
        Numerics.AssertClose(Reference(s4, Doubles(x), 1, 23), Doubles(y), atol: 2e-5, what: "after doubling");
        var shorter = x.narrow(1, 0, 3);
        var yShort = s4.Forward(shorter, MixerContext.None);
        Assert.Equal(40, s4.KernelLength);
        Numerics.AssertClose(Reference(s4, Doubles(shorter), 1, 3), Doubles(yShort), atol: 2e-5, what: "shorter, truncated");
    }

    /// <summary>
    /// Doubling L_k rewrites the parameter C in place, under AdamW's moments of the old C̃: refused while training with
    /// gradients, with C and L_k untouched; the same forward in eval mode doubles as lrnnx does.
    /// </summary>
    [Fact]
    public void DoublingTheKernelLengthWhileTrainingIsRefused()
    {
        using var scope = torch.NewDisposeScope();
        using var s4 = Make();
        s4.train();
        var x = Normal(new Random(31), [1, 12, H], ScalarType.Float32, Device.CPU);
        s4.Forward(x.narrow(1, 0, 5), MixerContext.None);                                      // the first set-up is safe: no moments yet
        Assert.Equal(5, s4.KernelLength);
        var before = Doubles(s4.C);
        var e = Assert.Throws<S4KernelLengthException>(() => s4.Forward(x, MixerContext.None));
        Assert.Contains("l_max", e.Message);
        Assert.Equal(5, s4.KernelLength);
        Assert.Equal(before, Doubles(s4.C));
        s4.eval();
        var y = s4.Forward(x, MixerContext.None);
        Assert.Equal(20, s4.KernelLength);
        Numerics.AssertClose(Reference(s4, Doubles(x), 1, 12), Doubles(y), atol: 2e-5, what: "doubled in eval mode");
    }

    /// <summary>L_k lives on the host, yet follows the buffer: a checkpoint's l_kernel (load_state_dict) and a fill_ by hand.</summary>
    [Fact]
    public void KernelLengthFollowsTheCheckpointBuffer()
    {
        using var scope = torch.NewDisposeScope();
        using var trained = Make();
        trained.eval();
        trained.Forward(Normal(new Random(32), [1, 9, H], ScalarType.Float32, Device.CPU), MixerContext.None);
        using var fresh = Make();
        Assert.Equal(0, fresh.KernelLength);
        fresh.load_state_dict(trained.state_dict(), strict: true);
        Assert.Equal(9, fresh.KernelLength);
        var x = Normal(new Random(33), [1, 9, H], ScalarType.Float32, Device.CPU);
        Numerics.AssertClose(Doubles(trained.Forward(x, MixerContext.None)), Doubles(fresh.Forward(x, MixerContext.None)), atol: 1e-6, what: "loaded C̃ and L_k");
        using (torch.no_grad()) fresh.layer.kernel.l_kernel!.fill_(0);
        Assert.Equal(0, fresh.KernelLength);
    }

    /// <summary>An inference forward at an unchanged L_k reads no scalar from the device (no .item(), no sync).</summary>
    [Fact]
    public void ForwardAtAnUnchangedKernelLengthReadsNoScalar()
    {
        if (!torch.profiler.is_available()) Assert.Skip("This libtorch has no Kineto (Debian's): the trace that shows a .item() needs it.");
        using var scope = torch.NewDisposeScope();
        using var s4 = Make();
        s4.eval();
        var x = Normal(new Random(34), [1, 8, H], ScalarType.Float32, Device.CPU);
        s4.Forward(x, MixerContext.None);
        var path = Path.Combine(Path.GetTempPath(), $"lrnn-s4-{Guid.NewGuid():N}.json");
        try
        {
            using (var prof = torch.profiler.profile())
            {
                using (torch.no_grad()) s4.Forward(x, MixerContext.None).Dispose();
                prof.stop();
                prof.export_chrome_trace(path);
            }
            var names = ((Newtonsoft.Json.Linq.JArray)Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllText(path))["traceEvents"]!)
                .Select(e => (string?)e["name"]).ToHashSet();
            Assert.DoesNotContain("aten::item", names);
            Assert.DoesNotContain("aten::_local_scalar_dense", names);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LMaxSetsTheFirstKernelLengthAndCapsTheTaps()
    {
        using var scope = torch.NewDisposeScope();
        using var capped = Make(lMax: 1);
        var x = Normal(new Random(4), [1, 5, H], ScalarType.Float32, Device.CPU);
        var y = Doubles(capped.Forward(x, MixerContext.None));
        Assert.Equal(1, capped.KernelLength);
        // A one-tap kernel: y_t depends on x_t alone, so changing x_0 leaves y_1.. unchanged.
        using var x2 = x.clone();
        x2.narrow(1, 0, 1).fill_(3.0);
        var y2 = Doubles(capped.Forward(x2, MixerContext.None));
        Numerics.AssertClose(y.Skip((int)H).ToArray(), y2.Skip((int)H).ToArray(), atol: 1e-6);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(7L)]
    [InlineData(64L)]
    public void SequenceLengthsOneOddAndEven(long length)
    {
        using var scope = torch.NewDisposeScope();
        using var s4 = Make();
        var x = Normal(new Random(5), [1, length, H], ScalarType.Float32, Device.CPU);
        Numerics.AssertClose(Reference(s4, Doubles(x), 1, length), Doubles(s4.Forward(x, MixerContext.None)), atol: 2e-5, what: $"L={length}");
    }

    [Theory]
    [MemberData(nameof(DevicesAndInits))]
    public void PrefillThenStepsMatchForward(string device, string init)
    {
        using var scope = torch.NewDisposeScope();
        using var s4 = Make(init, device: device);
        var x = Normal(new Random(6), [B, L, H], ScalarType.Float32, device);
        var full = Doubles(s4.Forward(x, MixerContext.None));
        using var cache = s4.AllocateCache(B, L, ScalarType.Float32, device);
        const long prompt = 4;
        var first = s4.Forward(x.narrow(1, 0, prompt), new MixerContext { Cache = cache });
        var second = s4.Forward(x.narrow(1, prompt, 3), new MixerContext { Cache = cache });   // a prefill that continues a cache
        var steps = Enumerable.Range((int)prompt + 3, (int)(L - prompt - 3)).Select(t => s4.Step(x.narrow(1, t, 1), cache)).ToList();
        Numerics.AssertClose(full, Doubles(torch.cat([first, second, .. steps], 1)), atol: 2e-5, what: $"{init}: prefill + steps vs forward");
        Assert.Equal(L, cache.Position);
    }

    [Fact]
    public void DecodingWithoutGradientsReusesTheStepMatricesAndStaysExact()
    {
        // Under no_grad the step matrices are built once per cache; steps, a prefill in between (which clears them)
        // and more steps must still give the full forward, and disposing the cache frees the cached matrices.
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var s4 = Make();
        var x = Normal(new Random(9), [B, L, H], ScalarType.Float32, Device.CPU);
        var full = Doubles(s4.Forward(x, MixerContext.None));
        var parts = new List<Tensor>();
        var cache = (S4Cache)s4.AllocateCache(B, L, ScalarType.Float32, Device.CPU);
        parts.Add(s4.Forward(x.narrow(1, 0, 2), new MixerContext { Cache = cache }));
        for (var t = 2; t < 4; t++) parts.Add(s4.Step(x.narrow(1, t, 1), cache));
        Assert.NotNull(cache.StepMatrices);
        parts.Add(s4.Forward(x.narrow(1, 4, 2), new MixerContext { Cache = cache }));
        Assert.Null(cache.StepMatrices);
        for (var t = 6; t < L; t++) parts.Add(s4.Step(x.narrow(1, t, 1), cache));
        Numerics.AssertClose(full, Doubles(torch.cat(parts.ToArray(), 1)), atol: 2e-5, what: "no-grad prefill + cached steps vs forward");

        var live = torch.LiveTensorCount;
        cache.Dispose();                                                 // the state and the three step matrices
        Assert.Equal(live - 4, torch.LiveTensorCount);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        using var scope = torch.NewDisposeScope();
        using var s4 = new S4(3, 4, new S4Options { Channels = 2, Rank = 2, Init = "dplr-lin", DtMin = 0.1, DtMax = 0.5 }, ScalarType.Float64);
        var x = Normal(new Random(7), [1, 6, 3], ScalarType.Float64, Device.CPU).requires_grad_();
        var weights = Normal(new Random(8), [1, 6, 3], ScalarType.Float64, Device.CPU);
        Tensor Loss() => s4.Forward(x, MixerContext.None).mul(weights).sum();
        Loss();                                                                                // the first forward rewrites C as C̃
        Loss().backward();
        foreach (var (name, tensor) in s4.named_parameters().Append(("x", x)))
        {
            var numeric = GradCheck.Numeric(tensor, () => Loss().item<double>());
            Numerics.AssertClose(numeric, Doubles(tensor.grad!), atol: 1e-6, rtol: 1e-5, what: $"d loss / d {name}");
        }
    }

    private static string KeysOf(Lrnn.Torch.Modules.Module module)
    {
        using var state = module.state_dict();
        return string.Concat(state.Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}] {kv.Value.dtype}\n"));
    }

    [Fact]
    public void KeysAndShapesMatchLrnnx()
    {
        using var s4 = new S4(8, 16, new S4Options { Channels = 2, NSsm = 4, Rank = 2, DtTie = false });
        Approvals.Verify("S4.keys", KeysOf(s4));
    }

    /// <summary>A path two levels under the test project, so that Approvals finds tests/Lrnn.Tests/Approvals from this subfolder.</summary>

    public static TheoryData<string, string> DevicesAndStacks() => DevicesAnd("S4", "hybrid");

    [Theory]
    [MemberData(nameof(DevicesAndStacks))]
    public void PrefillThenStepsMatchForwardInsideAModel(string device, string stack)
    {
        using var scope = torch.NewDisposeScope();
        string[] types = stack == "S4" ? ["S4", "S4"] : ["S4", "attn", "LRU", "S4"];
        var config = ConfigFor(types, dIntermediate: 24) with
        {
            MixerKwargs = new JObject
            {
                ["S4"] = new JObject { ["channels"] = 2 },
                ["attn"] = new JObject { ["num_heads"] = 4 },
            },
        };
        using var model = new LrnnLMHeadModel(config.Validate(), device: device);
        StateEquivalence.AssertPrefillThenStepsMatchForward(model, device, prompt: 5, steps: 4, seed: 10, what: stack);
    }
}
