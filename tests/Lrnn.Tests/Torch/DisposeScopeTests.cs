using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

public class DisposeScopeTests
{
    [Fact]
    public void ScopeFreesEverythingAfterTenThousandOps()
    {
        var baseline = LiveTensors.Settled();
        using (var outer = torch.NewDisposeScope())
        {
            var x = torch.ones(16);
            for (var k = 0; k < 10_000; k++)
            {
                using var step = torch.NewDisposeScope();
                var y = (x * 2.0 + 1.0).exp() - x;   // 4 native results per iteration
                _ = y.sum();
            }
            Assert.Equal(baseline + 1, torch.LiveTensorCount); // only x
        }
        Assert.Equal(baseline, torch.LiveTensorCount);
    }

    [Fact]
    public void MoveToOuterKeepsTheResult()
    {
        var baseline = LiveTensors.Settled();
        Tensor kept;
        using (var scope = torch.NewDisposeScope())
        {
            var a = torch.ones(3);
            kept = scope.MoveToOuter(a * 3.0);
        }
        Assert.False(kept.IsDisposed);
        Assert.Equal(new[] { 3f, 3, 3 }, kept.ToArray<float>());
        Assert.Equal(baseline + 1, torch.LiveTensorCount);
        kept.Dispose();
        Assert.Equal(baseline, torch.LiveTensorCount);
    }

    [Fact]
    public void NestedScopesMoveOneLevelAtATime()
    {
        using var outer = torch.NewDisposeScope();
        Tensor t;
        using (var inner = torch.NewDisposeScope())
        {
            t = torch.zeros(2);
            inner.MoveToOuter(t);
        }
        Assert.Same(outer, t.OwningScope);
        outer.Dispose();
        Assert.True(t.IsDisposed);
    }

    [Fact]
    public void OutOfOrderDisposeIsRejected()
    {
        var a = torch.NewDisposeScope();
        var b = torch.NewDisposeScope();
        Assert.Throws<InvalidOperationException>(() => a.Dispose());
        b.Dispose();
        a.Dispose();
    }

    [Fact]
    public void FinalizedTensorsAreFreedOnAUserThreadNotTheFinalizer()
    {
        var baseline = LiveTensors.Settled();
        var finalizedBefore = torch.FinalizedTensorCount;
        MakeGarbage();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(torch.FinalizedTensorCount >= finalizedBefore + 100);
        // Not freed by the finalizer thread: still alive until a user thread drains the queue.
        Assert.True(Lrnn.Torch.Native.NativeMethods.lrnn_live_tensor_count() >= baseline + 100);
        torch.CollectPendingFrees();
        Assert.Equal(baseline, torch.LiveTensorCount);

        static void MakeGarbage()
        {
            for (var k = 0; k < 100; k++) _ = torch.ones(4);
        }
    }
}
