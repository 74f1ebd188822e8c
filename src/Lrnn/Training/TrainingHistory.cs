using Newtonsoft.Json;

namespace Lrnn.Training;

/// <summary>A loss at an optimizer step.</summary>
public readonly record struct LossPoint([property: JsonProperty("step")] long Step, [property: JsonProperty("loss")] double Loss);

/// <summary>The losses recorded during training, kept in the resumable state (and drawn by Lrnn.Plotting's LossCurve).</summary>
public sealed class TrainingHistory
{
    /// <summary>The mean training loss of every optimizer step.</summary>
    [JsonProperty("train")] public List<LossPoint> Train { get; init; } = [];

    /// <summary>The validation loss at every evaluation.</summary>
    [JsonProperty("validation")] public List<LossPoint> Validation { get; init; } = [];
}
