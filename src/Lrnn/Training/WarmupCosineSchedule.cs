namespace Lrnn.Training;

/// <summary>
/// Linear warmup from 0 to the peak over <c>warmupSteps</c>, then a half cosine from the peak down to
/// <c>peak × minRatio</c> at <c>totalSteps</c> (held there after).
/// </summary>
public sealed class WarmupCosineSchedule(double peak, double minRatio, int warmupSteps, int totalSteps)
{
    /// <summary>The learning rate of optimizer step <paramref name="step"/> (0-based).</summary>
    public double LearningRate(long step)
    {
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        var decaySteps = Math.Max(1, totalSteps - warmupSteps);
        var progress = Math.Min(1.0, (double)(step - warmupSteps) / decaySteps);
        var min = peak * minRatio;
        return min + 0.5 * (peak - min) * (1 + Math.Cos(Math.PI * progress));
    }
}
