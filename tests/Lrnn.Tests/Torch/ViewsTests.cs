using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

/// <summary>
/// Views, reshaping, joining and splitting, against index arithmetic on row-major arrays. The input is mostly
/// x[i, j, k] = 100 i + 10 j + k of shape (2, 3, 4), so every expected value says where it came from.
/// </summary>
public class ViewsTests
{
    private static readonly long[] Shape = { 2, 3, 4 };

    private static double X(long i, long j, long k) => 100 * i + 10 * j + k;

    private static Tensor Input(Device device)
    {
        var data = new double[24];
        for (var i = 0; i < 2; i++)
        for (var j = 0; j < 3; j++)
        for (var k = 0; k < 4; k++)
            data[(i * 3 + j) * 4 + k] = X(i, j, k);
        return torch.tensor(data, Shape, device);
    }

    private static double[] Seq(int n) => Enumerable.Range(0, n).Select(v => (double)v).ToArray();

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ViewAndReshapeKeepRowMajorOrder(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Input(dev);
        var v = x.view(6, -1);
        Assert.Equal(new long[] { 6, 4 }, v.shape);
        Assert.True(v.is_alias_of(x));
        Assert.Equal(x.ToArray<double>(), v.ToArray<double>());

        // A transposed tensor cannot be viewed, but it can be reshaped (a copy in the transposed order).
        var t = x.transpose(1, 2);                     // (2, 4, 3)
        Assert.Throws<TorchException>(() => t.view(24));
        var r = t.reshape(24).ToArray<double>();
        Assert.Equal(X(1, 2, 3), r[1 * 12 + 3 * 3 + 2]);
        Assert.Equal(X(0, 1, 2), r[0 * 12 + 2 * 3 + 1]);
    }

    [Fact]
    public void ViewWithTheWrongElementCountNamesBothShapes()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros(2, 3, 4);
        var e = Assert.Throws<ArgumentException>(() => x.view(5, 5));
        Assert.Contains("[5, 5]", e.Message);
        Assert.Contains("[2, 3, 4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.reshape(-1, 5));
        Assert.Contains("[-1, 5]", e.Message);
        Assert.Throws<ArgumentException>(() => x.view(-1, -1));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void TransposeAndPermuteMoveElements(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Input(dev);
        var p = x.permute(2, 0, 1);                    // p[k, i, j] = x[i, j, k]
        Assert.Equal(new long[] { 4, 2, 3 }, p.shape);
        Assert.False(p.is_contiguous());
        var pc = p.contiguous();
        Assert.True(pc.is_contiguous());
        var values = pc.ToArray<double>();
        for (var k = 0; k < 4; k++)
        for (var i = 0; i < 2; i++)
        for (var j = 0; j < 3; j++)
            Assert.Equal(X(i, j, k), values[(k * 2 + i) * 3 + j]);
        Assert.Equal(new long[] { 2, 4, 3 }, torch.transpose(x, -1, -2).shape);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void FlattenUnflattenSqueezeUnsqueezeChangeOnlyTheShape(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Input(dev);
        var f = x.flatten(1);
        Assert.Equal(new long[] { 2, 12 }, f.shape);
        Assert.Equal(new long[] { 24 }, x.flatten().shape);
        var u = f.unflatten(1, 3, -1);
        Assert.Equal(Shape, u.shape);
        Assert.Equal(x.ToArray<double>(), u.ToArray<double>());

        var s = x.unsqueeze(1).unsqueeze(-1);
        Assert.Equal(new long[] { 2, 1, 3, 4, 1 }, s.shape);
        Assert.Equal(new long[] { 2, 3, 4, 1 }, s.squeeze(1).shape);
        Assert.Equal(new long[] { 2, 1, 3, 4, 1 }, s.squeeze(0).shape);   // size 2: unchanged
        Assert.Equal(Shape, s.squeeze().shape);
        Assert.Equal(x.ToArray<double>(), s.squeeze().ToArray<double>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ExpandBroadcastsWithoutCopying(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var col = torch.tensor(new double[] { 1, 2, 3 }, new long[] { 3, 1 }, dev);
        var e = col.expand(3, 4);
        Assert.True(e.is_alias_of(col));
        Assert.Equal(new long[] { 1, 0 }, e.stride());
        Assert.Equal(new double[] { 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3 }, e.ToArray<double>());
        Assert.Equal(new long[] { 2, 3, 4 }, col.expand(2, -1, 4).shape);
        var target = torch.zeros(new long[] { 5, 3, 4 }, device: dev);
        Assert.Equal(new long[] { 5, 3, 4 }, col.expand_as(target).shape);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void NarrowSliceAndSelectPickTheRightElements(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Input(dev);
        var n = x.narrow(2, 1, 2).ToArray<double>();              // x[:, :, 1:3]
        Assert.Equal(12, n.Length);
        Assert.Equal(X(1, 2, 2), n[(1 * 3 + 2) * 2 + 1]);

        Assert.Equal(new[] { X(1, 2, 0), X(1, 2, 2) }, x.slice(2, null, null, 2).select(0, 1).select(0, 2).ToArray<double>());
        Assert.Equal(new[] { X(0, 1, 2), X(0, 1, 3) }, x.slice(2, -2, null).select(0, 0).select(0, 1).ToArray<double>());
        Assert.Equal(new[] { X(0, 0, 1), X(0, 0, 2) }, x.slice(2, 1, -1).select(0, 0).select(0, 0).ToArray<double>());
        Assert.Equal(new[] { X(0, 2, 0), X(0, 2, 1), X(0, 2, 2), X(0, 2, 3) }, x.select(1, 2).select(0, 0).ToArray<double>());
        Assert.Equal(new long[] { 2, 4 }, x.select(1, -1).shape);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void WritingThroughViewsUpdatesTheCache(string dev)
    {
        using var scope = torch.NewDisposeScope();
        // A (B, T, D) = (2, 5, 3) cache written one step at a time, as an inference loop does.
        var cache = torch.zeros(new long[] { 2, 5, 3 }, torch.float64, dev);
        var expected = new double[30];
        void Expect(int b, int t, int d, double v) => expected[(b * 5 + t) * 3 + d] = v;

        var step = torch.tensor(new double[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 1, 3 }, dev);
        cache.narrow(1, 2, 1).copy_(step);                        // cache[:, 2:3] = step
        for (var b = 0; b < 2; b++) for (var d = 0; d < 3; d++) Expect(b, 2, d, 1 + 3 * b + d);

        cache.select(1, 4).copy_(torch.full(new long[] { 2, 3 }, 9.0, torch.float64, dev));   // cache[:, 4] = 9
        for (var b = 0; b < 2; b++) for (var d = 0; d < 3; d++) Expect(b, 4, d, 9);

        cache.slice(1, 0, null, 4).select(2, 1).copy_(torch.full(new long[] { 1 }, -1.0, torch.float64, dev));  // cache[:, ::4, 1] = -1
        for (var b = 0; b < 2; b++) { Expect(b, 0, 1, -1); Expect(b, 4, 1, -1); }

        cache.transpose(0, 2).select(0, 0).narrow(0, 3, 1).copy_(torch.full(new long[] { 1, 2 }, 7.0, torch.float64, dev));  // cache[:, 3, 0] = 7
        for (var b = 0; b < 2; b++) Expect(b, 3, 0, 7);

        Assert.Equal(expected, cache.ToArray<double>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void FlipAndRollReorder(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(Seq(6), new long[] { 2, 3 }, dev);
        Assert.Equal(new double[] { 2, 1, 0, 5, 4, 3 }, x.flip(1).ToArray<double>());
        Assert.Equal(new double[] { 5, 4, 3, 2, 1, 0 }, x.flip(0, 1).ToArray<double>());
        Assert.Equal(new double[] { 2, 0, 1, 5, 3, 4 }, x.roll(1, 1).ToArray<double>());     // i -> (i + 1) mod 3
        Assert.Equal(new double[] { 1, 2, 0, 4, 5, 3 }, x.roll(-1, -1).ToArray<double>());
        Assert.Equal(new double[] { 4, 5, 3, 1, 2, 0 }, x.roll(new long[] { 1, 2 }, new long[] { 0, 1 }).ToArray<double>());
        Assert.Equal(new double[] { 5, 0, 1, 2, 3, 4 }, x.roll(new long[] { 1 }, Array.Empty<long>()).ToArray<double>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void RepeatTilesAndRepeatInterleaveDuplicates(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2, 3, 4 }, new long[] { 2, 2 }, dev);
        var r = x.repeat(2, 3);
        Assert.Equal(new long[] { 4, 6 }, r.shape);
        Assert.Equal(new double[] { 1, 2, 1, 2, 1, 2 }, r.select(0, 2).ToArray<double>());
        Assert.Equal(new double[] { 1, 1, 2, 2, 3, 3, 4, 4 }, x.repeat_interleave(2, 1).ToArray<double>());
        Assert.Equal(new double[] { 1, 2, 1, 2, 3, 4, 3, 4 }, x.repeat_interleave(2, 0).ToArray<double>());
        Assert.Equal(new long[] { 12 }, x.repeat_interleave(3).shape);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void TrilAndTriuKeepTheirDiagonals(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var ones = torch.ones(new long[] { 3, 4 }, torch.float64, dev);
        foreach (var diagonal in new long[] { -1, 0, 2 })
        {
            var lower = ones.tril(diagonal).ToArray<double>();
            var upper = torch.triu(ones, diagonal).ToArray<double>();
            for (var i = 0; i < 3; i++)
            for (var j = 0; j < 4; j++)
            {
                Assert.Equal(j - i <= diagonal ? 1.0 : 0.0, lower[i * 4 + j]);
                Assert.Equal(j - i >= diagonal ? 1.0 : 0.0, upper[i * 4 + j]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CatAndStackJoin(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new double[] { 1, 2, 3, 4 }, new long[] { 2, 2 }, dev);
        var b = torch.tensor(new double[] { 5, 6 }, new long[] { 2, 1 }, dev);
        Assert.Equal(new double[] { 1, 2, 5, 3, 4, 6 }, torch.cat(new[] { a, b }, 1).ToArray<double>());
        Assert.Equal(new double[] { 1, 2, 3, 4, 1, 2, 3, 4 }, torch.cat(new[] { a, a }).ToArray<double>());
        var s = torch.stack(new[] { a, a * 10.0 }, 2);
        Assert.Equal(new long[] { 2, 2, 2 }, s.shape);
        Assert.Equal(new double[] { 1, 10, 2, 20, 3, 30, 4, 40 }, s.ToArray<double>());

        Assert.Contains("at least one tensor", Assert.Throws<ArgumentException>(() => torch.cat(Array.Empty<Tensor>())).Message);
        Assert.Throws<ArgumentException>(() => torch.stack(new List<Tensor>()));
        Assert.Throws<TorchException>(() => torch.cat(new[] { a, b }, 0));
        Assert.Throws<TorchException>(() => torch.stack(new[] { a, b }));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ChunkSplitAndUnbindReturnViews(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(Seq(10), new long[] { 5, 2 }, dev);
        var chunks = x.chunk(3);                                   // sizes 2, 2, 1
        Assert.Equal(new[] { 2L, 2, 1 }, chunks.Select(c => c.size(0)));
        Assert.Equal(new double[] { 8, 9 }, chunks[2].ToArray<double>());
        Assert.True(chunks[1].is_alias_of(x));

        var bySize = torch.split(x, 2);
        Assert.Equal(new[] { 2L, 2, 1 }, bySize.Select(c => c.size(0)));
        Assert.Equal(new double[] { 4, 5, 6, 7 }, bySize[1].ToArray<double>());

        var bySizes = x.split(new long[] { 1, 4 });
        Assert.Equal(new double[] { 0, 1 }, bySizes[0].ToArray<double>());
        Assert.Equal(new long[] { 4, 2 }, bySizes[1].shape);
        Assert.Throws<TorchException>(() => x.split(new long[] { 1, 1 }));

        var columns = x.unbind(1);
        Assert.Equal(2, columns.Length);
        Assert.Equal(new double[] { 1, 3, 5, 7, 9 }, columns[1].ToArray<double>());
        Assert.Equal(3, x.chunk(4, 0).Length);                    // ceil(5 / 4) = 2 per chunk: only 3 chunks
        Assert.Throws<ArgumentException>(() => x.chunk(0));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void PadFollowsPyTorchsLastDimensionFirstOrder(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 }, dev);
        var causal = torch.nn.functional.pad(x, new long[] { 2, 0 });
        Assert.Equal(new long[] { 2, 5 }, causal.shape);
        Assert.Equal(new double[] { 0, 0, 1, 2, 3, 0, 0, 4, 5, 6 }, causal.ToArray<double>());

        var rows = torch.nn.functional.pad(x, new long[] { 0, 0, 1, 0 }, -1);
        Assert.Equal(new double[] { -1, -1, -1, 1, 2, 3, 4, 5, 6 }, rows.ToArray<double>());
        Assert.Equal(new double[] { 2, 5 }, torch.nn.functional.pad(x, new long[] { -1, -1 }).ToArray<double>());

        Assert.Contains("pairs", Assert.Throws<ArgumentException>(() => torch.nn.functional.pad(x, new long[] { 1 })).Message);
        Assert.Contains("[2, 3]", Assert.Throws<ArgumentException>(() => torch.nn.functional.pad(x, new long[] { 1, 1, 1, 1, 1, 1 })).Message);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CloneOwnsItsStorage(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(new long[] { 3 }, torch.float64, dev);
        var c = x.clone();
        Assert.False(c.is_alias_of(x));
        c.zero_();
        Assert.Equal(new double[] { 1, 1, 1 }, x.ToArray<double>());
    }

    // ---- gradients ------------------------------------------------------------------------------------------

    private static readonly double[] G = { 0.3, -1.2, 2.5, 0.7, -0.4, 1.9, -2.2, 0.05, 1.1, -0.8, 0.6, 1.4 };
    private static readonly long[] GShape = { 3, 4 };

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CatGradientSplitsBackToItsInputs(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var other = torch.tensor(new double[] { 1, -2, 3 }, new long[] { 3, 1 }, dev);
        GradCheck.AssertGradient(x => torch.cat(new[] { x * x, other, x }, 1), G, GShape, dev);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void NarrowFlipAndRollGradientsMatchFiniteDifferences(string dev)
    {
        GradCheck.AssertGradient(x => (x * x).narrow(1, 1, 2), G, GShape, dev);
        GradCheck.AssertGradient(x => (x * x).flip(0, 1), G, GShape, dev);
        GradCheck.AssertGradient(x => (x * x).roll(new long[] { 1, -1 }, new long[] { 0, 1 }), G, GShape, dev);
    }
}
