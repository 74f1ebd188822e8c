using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

/// <summary>Indexing by tensors and masks, against explicit loops over row-major arrays.</summary>
public class IndexingTests
{
    // x[i, j] = 10 i + j, shape (3, 4).
    private static Tensor Grid(Device device) =>
        torch.tensor(Enumerable.Range(0, 12).Select(v => 10.0 * (v / 4) + v % 4).ToArray(), new long[] { 3, 4 }, device);

    private static Tensor Index(Device device, long[] values, params long[] shape) => torch.tensor(values, shape, device);

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void IndexSelectPicksEntriesInOrderWithRepeats(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Grid(dev);
        Assert.Equal(new double[] { 20, 21, 22, 23, 0, 1, 2, 3, 20, 21, 22, 23 },
            x.index_select(0, Index(dev, new long[] { 2, 0, 2 }, 3)).ToArray<double>());
        Assert.Equal(new double[] { 3, 1, 13, 11, 23, 21 }, torch.index_select(x, 1, Index(dev, new long[] { 3, 1 }, 2)).ToArray<double>());
        // Out of range: an exception on the CPU. On CUDA the same mistake is a device-side assert, which leaves the
        // process's CUDA context unusable (libtorch cannot report it as an error), so it is not provoked there.
        if (dev == "cpu") Assert.ThrowsAny<TorchException>(() => x.index_select(0, Index(dev, new long[] { 3 }, 1)));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GatherReadsAlongOneDimension(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var x = Grid(dev);
        var idx = new long[] { 3, 0, 1, 1, 2, 0 };                         // (3, 2)
        var g = x.gather(1, Index(dev, idx, 3, 2));                         // g[i, j] = x[i, idx[i, j]]
        var expected = new double[6];
        for (var i = 0; i < 3; i++) for (var j = 0; j < 2; j++) expected[i * 2 + j] = 10 * i + idx[i * 2 + j];
        Assert.Equal(expected, g.ToArray<double>());

        var rows = new long[] { 2, 0, 1, 2 };                               // (1, 4): g0[0, j] = x[rows[j], j]
        Assert.Equal(new double[] { 20, 1, 12, 23 }, torch.gather(x, 0, Index(dev, rows, 1, 4)).ToArray<double>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ScatterWritesAndScatterAddAccumulates(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var zeros = torch.zeros(new long[] { 2, 4 }, torch.float64, dev);
        var idx = Index(dev, new long[] { 1, 3, 1, 0, 0, 0 }, 2, 3);
        var src = torch.tensor(new double[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 }, dev);

        // out[i, idx[i, j]] (+)= src[i, j]
        var added = new double[8];
        var idxValues = new long[] { 1, 3, 1, 0, 0, 0 };
        for (var i = 0; i < 2; i++) for (var j = 0; j < 3; j++) added[i * 4 + idxValues[i * 3 + j]] += 1 + i * 3 + j;
        Assert.Equal(added, zeros.scatter_add(1, idx, src).ToArray<double>());
        Assert.Equal(new double[8], zeros.ToArray<double>());            // out of place
        var acc = zeros.clone();
        Assert.Same(acc, acc.scatter_add_(1, idx, src));
        Assert.Equal(added, acc.ToArray<double>());

        // Without duplicates scatter is unambiguous: row 0 writes columns 2 and 3.
        var unique = Index(dev, new long[] { 2, 3, 0, 1 }, 2, 2);
        var pairs = torch.tensor(new double[] { 7, 8, 9, 10 }, new long[] { 2, 2 }, dev);
        Assert.Equal(new double[] { 0, 0, 7, 8, 9, 10, 0, 0 }, zeros.scatter(1, unique, pairs).ToArray<double>());
        var inPlace = zeros.clone();
        inPlace.scatter_(1, unique, pairs).scatter_(1, Index(dev, new long[] { 0, 3 }, 2, 1), -1.0);
        Assert.Equal(new double[] { -1, 0, 7, 8, 9, 10, 0, -1 }, inPlace.ToArray<double>());
        Assert.Equal(new double[] { 0, 5, 0, 0, 0, 0, 5, 0 }, zeros.scatter(1, Index(dev, new long[] { 1, 2 }, 2, 1), 5.0).ToArray<double>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void IndexCopyAndIndexPutWriteSlices(string dev)
    {
        using var scope = torch.NewDisposeScope();
        // A (B, T, D) = (1, 4, 2) cache: write time steps 3 and 1.
        var cache = torch.zeros(new long[] { 1, 4, 2 }, torch.float64, dev);
        var rows = torch.tensor(new double[] { 1, 2, 3, 4 }, new long[] { 1, 2, 2 }, dev);
        var steps = Index(dev, new long[] { 3, 1 }, 2);
        Assert.Equal(new double[] { 0, 0, 3, 4, 0, 0, 1, 2 }, cache.index_copy(1, steps, rows).ToArray<double>());
        Assert.Equal(new double[8], cache.ToArray<double>());
        cache.index_copy_(1, steps, rows);
        Assert.Equal(new double[] { 0, 0, 3, 4, 0, 0, 1, 2 }, cache.ToArray<double>());

        // x[[0, 2, 0], [1, 1, 1]] += [1, 2, 3]: the duplicate (0, 1) accumulates 1 + 3.
        var x = torch.zeros(new long[] { 3, 2 }, torch.float64, dev);
        var i0 = Index(dev, new long[] { 0, 2, 0 }, 3);
        var i1 = Index(dev, new long[] { 1, 1, 1 }, 3);
        var v = torch.tensor(new double[] { 1, 2, 3 }, device: dev);
        Assert.Equal(new double[] { 0, 4, 0, 0, 0, 2 }, x.index_put(new[] { i0, i1 }, v, accumulate: true).ToArray<double>());
        Assert.Equal(new double[6], x.ToArray<double>());

        // x[:, [1]] = 7 via a null index (":") and a broadcast value.
        var seven = torch.full(new long[] { 1 }, 7.0, torch.float64, dev);
        Assert.Same(x, x.index_put_(new Tensor?[] { null, Index(dev, new long[] { 1 }, 1) }, seven));
        Assert.Equal(new double[] { 0, 7, 0, 7, 0, 7 }, x.ToArray<double>());
        Assert.Throws<ArgumentException>(() => x.index_put_(Array.Empty<Tensor?>(), seven));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void MaskedFillBroadcastsTheMask(string dev)
    {
        using var scope = torch.NewDisposeScope();
        // A causal mask: position (i, j) with j > i is hidden.
        var scores = torch.ones(new long[] { 2, 3, 3 }, torch.float64, dev);
        var future = torch.ones(new long[] { 3, 3 }, torch.@bool, dev).triu(1);
        var masked = scores.masked_fill(future, double.NegativeInfinity).ToArray<double>();
        for (var b = 0; b < 2; b++)
        for (var i = 0; i < 3; i++)
        for (var j = 0; j < 3; j++)
            Assert.Equal(j > i ? double.NegativeInfinity : 1.0, masked[(b * 3 + i) * 3 + j]);
        Assert.All(scores.ToArray<double>(), s => Assert.Equal(1.0, s));

        var ints = torch.arange(4, device: dev);
        var odd = torch.tensor(new[] { false, true, false, true }, device: dev);
        Assert.Equal(new long[] { 0, -5, 2, -5 }, ints.masked_fill(odd, -5L).ToArray<long>());
        Assert.Same(ints, ints.masked_fill_(odd, 9L));
        Assert.Equal(new long[] { 0, 9, 2, 9 }, ints.ToArray<long>());
        Assert.Equal(new[] { 2.5f, 2.5f }, torch.zeros(new long[] { 2 }, device: dev).masked_fill_(torch.tensor(new[] { true, true }, device: dev), 2.5).ToArray<float>());
        // A float mask is rejected (libtorch 1.13 would silently ignore it).
        Assert.Contains("Float64", Assert.Throws<ArgumentException>(() => scores.masked_fill(scores, 0.0)).Message);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void WhereChoosesElementwise(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var cond = torch.tensor(new[] { true, false, true }, device: dev);
        var a = torch.tensor(new double[] { 1, 2, 3 }, device: dev);
        var b = torch.tensor(new double[] { -1, -2, -3 }, device: dev);
        Assert.Equal(new double[] { 1, -2, 3 }, torch.where(cond, a, b).ToArray<double>());
        Assert.Equal(new double[] { 1, 0, 3 }, torch.where(cond, a, 0.0).ToArray<double>());
        Assert.Equal(new double[] { 5, -2, 5 }, torch.where(cond, 5.0, b).ToArray<double>());
        var scalars = torch.where(cond, 1.0, 0.5);
        Assert.Equal(ScalarType.Float32, scalars.dtype);
        Assert.Equal(new[] { 1f, 0.5f, 1f }, scalars.ToArray<float>());
        // Broadcasting: a (3, 1) condition against (1, 3) branches.
        var column = cond.view(3, 1);
        Assert.Equal(new double[] { 1, 2, 3, -1, -2, -3, 1, 2, 3 }, torch.where(column, a.view(1, 3), b.view(1, 3)).ToArray<double>());
    }

    // ---- gradients ------------------------------------------------------------------------------------------

    private static readonly double[] G = { 0.3, -1.2, 2.5, 0.7, -0.4, 1.9, -2.2, 0.05, 1.1, -0.8, 0.6, 1.4 };

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GatherAndIndexSelectGradientsAccumulateOverRepeats(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var idx = Index(dev, new long[] { 3, 0, 3, 1, 1, 2 }, 3, 2);
        GradCheck.AssertGradient(x => (x * x).gather(1, idx), G, new long[] { 3, 4 }, dev);
        var rows = Index(dev, new long[] { 2, 0, 2, 2 }, 4);
        GradCheck.AssertGradient(x => (x * x).index_select(0, rows), G, new long[] { 3, 4 }, dev);
    }
}
