using Lrnn.Torch;

namespace Lrnn.Training;

/// <summary>What a <see cref="Trainer"/> does; every field has a default suited to a small byte-level model.</summary>
public sealed record TrainingOptions
{
    /// <summary>Optimizer steps to run in total (the cosine schedule decays over these).</summary>
    public int MaxSteps { get; init; } = 1000;

    /// <summary>Sequences per micro-batch; an optimizer step sees <see cref="BatchSize"/> × <see cref="GradientAccumulationSteps"/>.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Micro-batches whose gradients are summed before one optimizer step.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    public double LearningRate { get; init; } = 3e-3;

    /// <summary>The learning rate the cosine decays to, as a fraction of <see cref="LearningRate"/>.</summary>
    public double MinLearningRateRatio { get; init; } = 0.1;

    public int WarmupSteps { get; init; } = 50;

    public double WeightDecay { get; init; } = 0.1;

    /// <summary>No weight decay on norms, biases and embeddings (every tensor of rank &lt; 2, and the embedding table).</summary>
    public bool DecayOnlyMatrices { get; init; } = true;

    public (double Beta1, double Beta2) Betas { get; init; } = (0.9, 0.95);

    /// <summary>Maximum global L2 norm of the gradients; 0 disables clipping.</summary>
    public double GradientClipNorm { get; init; } = 1.0;

    /// <summary>Mixed precision for the forward pass (BFloat16 on a GPU); null runs in the parameters' dtype.</summary>
    public ScalarType? AutocastDtype { get; init; }

    /// <summary>
    /// Give the model each batch's document ids, so that every mixer starts each packed document from a fresh state
    /// (<see cref="Modules.DocumentSegments"/>) instead of carrying the previous document's state into it. Costs the
    /// padding of every document to the batch's longest in each mixer; off by default.
    /// </summary>
    public bool ResetStateAtDocumentBoundaries { get; init; }

    /// <summary>Validate every this many steps (and after the last); 0: only after the last.</summary>
    public int EvalInterval { get; init; } = 100;

    /// <summary>Validation batches per evaluation; 0: the whole validation set.</summary>
    public int EvalBatches { get; init; }

    /// <summary>Write a resumable checkpoint every this many steps (and after the last); 0: only after the last.</summary>
    public int CheckpointInterval { get; init; } = 500;

    /// <summary>Stop (after a checkpoint) once training has run this long; the schedule still assumes <see cref="MaxSteps"/>.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Seeds the data order and libtorch's generator.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>Log a plain line every this many steps (the progress bar, on a terminal, updates every step).</summary>
    public int LogInterval { get; init; } = 10;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(GradientAccumulationSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LearningRate);
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(GradientClipNorm);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LogInterval);
        ArgumentOutOfRangeException.ThrowIfNegative(EvalInterval);
        ArgumentOutOfRangeException.ThrowIfNegative(CheckpointInterval);
        if (MinLearningRateRatio is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MinLearningRateRatio), "must be in [0, 1]");
    }
}
