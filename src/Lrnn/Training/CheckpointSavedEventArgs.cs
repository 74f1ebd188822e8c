namespace Lrnn.Training;

/// <summary>A <see cref="Trainer"/> wrote a checkpoint: an observer may add files beside it (a loss curve, for example).</summary>
public sealed class CheckpointSavedEventArgs(string directory, long step, TrainingHistory history) : EventArgs
{
    /// <summary>The checkpoint folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>The optimizer step the checkpoint holds.</summary>
    public long Step { get; } = step;

    /// <summary>The losses recorded so far (do not modify).</summary>
    public TrainingHistory History { get; } = history;
}
