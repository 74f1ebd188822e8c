using Lrnn.Checkpoints;
using Lrnn.Config;
using Lrnn.Models;
using Lrnn.Tests.SafeTensors;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Checkpoints;

/// <summary>Loading a checkpoint reports each tensor and stops between tensors when cancelled, leaving nothing allocated.</summary>
public sealed class CheckpointLoadCancellationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>An IProgress that reports synchronously (Progress&lt;T&gt; posts to a context) and can cancel.</summary>
    private sealed class Recorder(Action<CheckpointLoadProgress>? then = null) : IProgress<CheckpointLoadProgress>
    {
        public List<CheckpointLoadProgress> Reports { get; } = [];

        public void Report(CheckpointLoadProgress value)
        {
            Reports.Add(value);
            then?.Invoke(value);
        }
    }

    private string SavedModel(long? maxShardBytes = null)
    {
        var config = new LrnnConfig { DModel = 16, DState = 4, NLayer = 2, VocabSize = 20, MixerTypes = ["LRU", "Mamba"] };
        using var model = new LrnnLMHeadModel(config);
        var folder = _folder.File(maxShardBytes is null ? "single" : "sharded");
        model.SavePretrained(folder, maxShardBytes);
        return folder;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ProgressCountsEveryTensorUpToTheTotal(bool sharded)
    {
        var folder = SavedModel(sharded ? 4096 : null);
        var progress = new Recorder();
        using var model = LrnnLMHeadModel.FromPretrained(folder, progress: progress);
        var total = progress.Reports[^1].TensorCount;
        Assert.Equal(Enumerable.Range(1, total), progress.Reports.Select(r => r.TensorsLoaded));
        Assert.All(progress.Reports, r => Assert.Equal(total, r.TensorCount));
        Assert.True(total >= 10, $"only {total} tensors");
    }

    [Fact]
    public void ACancelledLoadThrowsBetweenTensorsAndFreesWhatItRead()
    {
        var folder = SavedModel();
        var before = LiveTensors.Settled();
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder(r => { if (r.TensorsLoaded == 3) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => LrnnLMHeadModel.FromPretrained(folder, cancellationToken: cancel.Token, progress: progress));
        Assert.Equal(3, progress.Reports.Count);                         // stopped at the next tensor, not at the end
        Assert.Equal(before, LiveTensors.Settled());                     // the model and the tensors read are freed
    }

    [Fact]
    public void APyTorchCheckpointLoadIsCancellableToo()
    {
        var bin = Path.Combine(AppContext.BaseDirectory, "TestData", "PyTorch", "torchref", "lrnnx", "pytorch_model.bin");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => PyTorchCheckpoint.Load(bin, cancellationToken: cancel.Token));
        var progress = new Recorder();
        using var loaded = PyTorchCheckpoint.Load(bin, progress: progress);
        Assert.Equal(Enumerable.Range(1, loaded.Tensors.Count), progress.Reports.Select(r => r.TensorsLoaded));
        Assert.All(progress.Reports, r => Assert.Equal(loaded.Tensors.Count, r.TensorCount));
    }
}
