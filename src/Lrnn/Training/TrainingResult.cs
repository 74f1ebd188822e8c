namespace Lrnn.Training;

/// <summary>How a <see cref="Trainer.Train"/> call ended.</summary>
/// <param name="Steps">Optimizer steps taken in total.</param>
/// <param name="TokensSeen">Training tokens consumed in total.</param>
/// <param name="ValidationLoss">The last validation loss (mean nats per token).</param>
/// <param name="Elapsed">Wall time of this call.</param>
/// <param name="StoppedEarly">True when the time limit or a cancellation ended training before MaxSteps.</param>
/// <param name="ValidationBitsPerByte">The last validation loss per byte of text, in bits: comparable across tokenizers.</param>
public sealed record TrainingResult(long Steps, long TokensSeen, double ValidationLoss, TimeSpan Elapsed, bool StoppedEarly,
    double ValidationBitsPerByte = double.NaN)
{
    public double ValidationPerplexity => Math.Exp(ValidationLoss);
}
