using Lrnn.Training;
using Xunit;

namespace Lrnn.Tests.Training;

public sealed class WarmupCosineScheduleTests
{
    [Fact]
    public void WarmsUpLinearlyThenDecaysAlongACosineToTheFloor()
    {
        var schedule = new WarmupCosineSchedule(peak: 1e-3, minRatio: 0.1, warmupSteps: 4, totalSteps: 14);
        Assert.Equal(0.25e-3, schedule.LearningRate(0), 15);
        Assert.Equal(1e-3, schedule.LearningRate(3), 15);
        Assert.Equal(1e-3, schedule.LearningRate(4), 15);                                   // decay starts at the peak
        // Halfway through the decay: floor + (peak − floor)/2.
        Assert.Equal(1e-4 + 0.5 * 9e-4 * (1 + Math.Cos(Math.PI * 0.5)), schedule.LearningRate(9), 15);
        Assert.Equal(1e-4 + 0.5 * 9e-4 * (1 + Math.Cos(Math.PI * 0.3)), schedule.LearningRate(7), 15);
        Assert.Equal(1e-4, schedule.LearningRate(14), 15);
        Assert.Equal(1e-4, schedule.LearningRate(100), 15);
    }
}
