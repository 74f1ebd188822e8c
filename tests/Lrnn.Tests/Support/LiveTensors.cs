using Lrnn.Torch;

namespace Lrnn.Tests.Support;

/// <summary>Native tensor counts for leak tests.</summary>
public static class LiveTensors
{
    /// <summary>
    /// The live count once everything unreachable is freed: collects, runs finalizers (which queue their native
    /// tensors) and frees the queue. Take baselines with this: a plain count includes garbage from earlier tests,
    /// which a GC during the test would free and so shift the count.
    /// </summary>
    public static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        torch.CollectPendingFrees();
        return torch.LiveTensorCount;
    }
}
