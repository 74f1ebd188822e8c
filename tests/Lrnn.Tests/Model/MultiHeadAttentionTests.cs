using Lrnn.Modules;
using Lrnn.Modules.Mixers;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model;

public sealed class MultiHeadAttentionTests
{
    private const long D = 12, B = 2, L = 7;

    /// <summary>Causal multi-head attention in float64 loops: GQA by kv head h / (H / H_kv), flash-attn's rotary layout.</summary>
    private static double[] Reference(MultiHeadAttention mha, double[] x, long rotaryDim, bool interleaved)
    {
        long heads = mha.NumHeads, headsKv = mha.NumHeadsKv, hd = mha.HeadDim;
        var wIn = Doubles(mha.in_proj.weight); var bIn = Doubles(mha.in_proj.bias!);
        var wOut = Doubles(mha.out_proj.weight); var bOut = Doubles(mha.out_proj.bias!);
        var width = hd * (heads + 2 * headsKv);
        var y = new double[B * L * D];
        for (var b = 0; b < B; b++)
        {
            var qkv = new double[L, width];
            for (var t = 0; t < L; t++)
            for (var o = 0; o < width; o++)
            {
                var acc = bIn[o];
                for (var i = 0; i < D; i++) acc += wIn[o * D + i] * x[(b * L + t) * D + i];
                qkv[t, o] = acc;
            }
            double[] Vec(long t, long start)
            {
                var v = new double[hd];
                for (var e = 0; e < hd; e++) v[e] = qkv[t, start + e];
                return Rotate(v, t, rotaryDim, interleaved);
            }
            var merged = new double[L, heads * hd];
            for (var h = 0; h < heads; h++)
            {
                var g = h / (heads / headsKv);
                for (var t = 0; t < L; t++)
                {
                    var q = Vec(t, h * hd);
                    var scores = new double[t + 1];
                    for (var s = 0; s <= t; s++)
                    {
                        var k = Vec(s, heads * hd + g * hd);
                        scores[s] = q.Zip(k, (a, c) => a * c).Sum() / Math.Sqrt(hd);
                    }
                    var max = scores.Max();
                    var weights = scores.Select(v => Math.Exp(v - max)).ToArray();
                    var total = weights.Sum();
                    for (var s = 0; s <= t; s++)
                    for (var e = 0; e < hd; e++)
                        merged[t, h * hd + e] += weights[s] / total * qkv[s, heads * hd + headsKv * hd + g * hd + e];
                }
            }
            for (var t = 0; t < L; t++)
            for (var o = 0; o < D; o++)
            {
                var acc = bOut[o];
                for (var i = 0; i < heads * hd; i++) acc += wOut[o * heads * hd + i] * merged[t, i];
                y[(b * L + t) * D + o] = acc;
            }
        }
        return y;
    }

    /// <summary>Rotates the first rotaryDim features by pos·base^(−2j/rotaryDim): pairs (j, j + R/2), or (2j, 2j+1) interleaved.</summary>
    private static double[] Rotate(double[] v, long position, long rotaryDim, bool interleaved)
    {
        var r = (double[])v.Clone();
        for (var j = 0; j < rotaryDim / 2; j++)
        {
            var angle = position * Math.Pow(10000.0, -2.0 * j / rotaryDim);
            var (i1, i2) = interleaved ? (2 * j, 2 * j + 1) : (j, j + (int)rotaryDim / 2);
            r[i1] = v[i1] * Math.Cos(angle) - v[i2] * Math.Sin(angle);
            r[i2] = v[i1] * Math.Sin(angle) + v[i2] * Math.Cos(angle);
        }
        return r;
    }

    // head_dim 6 with rotary_emb_dim 4: interleaved and half-split pairings differ, and 2 features pass through.
    private static MultiHeadAttention Create(long rotaryDim, bool interleaved, string device) =>
        new(D, numHeads: 2, numHeadsKv: 1, rotaryEmbDim: rotaryDim, rotaryEmbInterleaved: interleaved, device: device);

    public static TheoryData<string, long, bool> DevicesAndRotary()
    {
        var data = new TheoryData<string, long, bool>();
        foreach (var device in new[] { "cpu", "cuda" })
        foreach (var (rotary, interleaved) in new[] { (0L, false), (4L, false), (4L, true) })
            data.Add(new TheoryDataRow<string, long, bool>(device, rotary, interleaved)
            {
                Skip = TestDevices.SkipReason(device),
            });
        return data;
    }

    [Theory]
    [MemberData(nameof(DevicesAndRotary))]
    public void ForwardMatchesFloat64Reference(string device, long rotaryDim, bool interleaved)
    {
        using var scope = torch.NewDisposeScope();
        using var mha = Create(rotaryDim, interleaved, device);
        using (torch.no_grad())
        {
            mha.in_proj.bias!.normal_(0, 0.5);        // non-zero biases so their placement is checked too
            mha.out_proj.bias!.normal_(0, 0.5);
        }
        var x = Normal(new Random(7), [B, L, D], ScalarType.Float32, device);
        var y = mha.Forward(x, MixerContext.None);
        Assert.Equal([B, L, D], y.shape);
        Numerics.AssertClose(Reference(mha, Doubles(x), rotaryDim, interleaved), Doubles(y), atol: 1e-4, what: "attention");
    }

    [Theory]
    [MemberData(nameof(DevicesAndRotary))]
    public void PrefillThenStepsMatchForward(string device, long rotaryDim, bool interleaved)
    {
        using var scope = torch.NewDisposeScope();
        using var mha = Create(rotaryDim, interleaved, device);
        var x = Normal(new Random(8), [B, L, D], ScalarType.Float32, device);
        var full = Doubles(mha.Forward(x, MixerContext.None));
        using var cache = mha.AllocateCache(B, L + 3, ScalarType.Float32, device);
        var parts = new List<Tensor> { mha.Forward(x.narrow(1, 0, 3), new MixerContext { Cache = cache }) };
        // A second multi-token chunk exercises the bottom-right causal mask over cached keys.
        parts.Add(mha.Forward(x.narrow(1, 3, 2), new MixerContext { Cache = cache }));
        for (var t = 5; t < L; t++) parts.Add(mha.Step(x.narrow(1, t, 1), cache));
        Numerics.AssertClose(full, Doubles(torch.cat(parts, 1)), atol: 1e-4, what: "prefill + chunk + steps vs forward");
        Assert.Equal(L, cache.Position);
    }

    [Fact]
    public void KeysAndShapesAreLrnnx()
    {
        using var mha = new MultiHeadAttention(D, numHeads: 4, numHeadsKv: 2, qkvProjBias: false);
        Assert.Equal(["in_proj.weight", "out_proj.weight", "out_proj.bias"], mha.named_parameters().Select(p => p.Name));
        Assert.Equal([3L * (4 + 2 * 2), D], mha.in_proj.weight.shape);
        Assert.Equal([D, 3L * 4], mha.out_proj.weight.shape);
    }
}
