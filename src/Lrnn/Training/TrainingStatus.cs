namespace Lrnn.Training;

/// <summary>
/// Where a <see cref="Trainer.Train"/> run stands after an optimizer step, as reported to its
/// <see cref="IProgress{T}"/>: enough for a progress bar (steps, loss, tokens/s, ETA). Throughput and ETA count only
/// this run (a resumed run starts its clock at the resume).
/// </summary>
/// <param name="Step">Optimizer steps taken in total.</param>
/// <param name="MaxSteps">Steps the run aims at (<see cref="TrainingOptions.MaxSteps"/>).</param>
/// <param name="Loss">This step's mean training loss (nats per token).</param>
/// <param name="LearningRate">This step's learning rate.</param>
/// <param name="TokensSeen">Training tokens consumed in total.</param>
/// <param name="TokensPerSecond">Training tokens per second since this run started.</param>
/// <param name="Elapsed">Wall time since this run started.</param>
/// <param name="Eta">Time left to <paramref name="MaxSteps"/> at this run's pace.</param>
/// <param name="ValidationLoss">The latest validation loss, once there is one.</param>
public sealed record TrainingStatus(long Step, long MaxSteps, double Loss, double LearningRate, long TokensSeen, double TokensPerSecond,
    TimeSpan Elapsed, TimeSpan Eta, double? ValidationLoss);
