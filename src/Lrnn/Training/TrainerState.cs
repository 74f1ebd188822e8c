using Lrnn.Torch;
using Newtonsoft.Json;

namespace Lrnn.Training;

/// <summary>
/// Everything besides the weights and the optimizer that a resumed run needs to continue exactly as an uninterrupted
/// run: the step, the data stream's position, libtorch's CPU generator state and the history. Saved as
/// <c>trainer_state.json</c> in a training checkpoint.
/// </summary>
public sealed record TrainerState
{
    public const string FileName = "trainer_state.json";

    [JsonProperty("step")] public long Step { get; init; }
    [JsonProperty("batches_drawn")] public long BatchesDrawn { get; init; }
    [JsonProperty("tokens_seen")] public long TokensSeen { get; init; }

    /// <summary>torch.get_rng_state(), base64.</summary>
    [JsonProperty("rng_state")] public string RngState { get; init; } = "";

    [JsonProperty("history")] public TrainingHistory History { get; init; } = new();

    /// <summary>The options of the run, for the record (resuming uses the options it is given).</summary>
    [JsonProperty("options")] public TrainingOptions? Options { get; init; }

    public void Save(string directory)
    {
        var path = Path.Combine(directory, FileName);
        File.WriteAllText(path + ".tmp", JsonConvert.SerializeObject(this, Formatting.Indented));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public static TrainerState Load(string directory) =>
        JsonConvert.DeserializeObject<TrainerState>(File.ReadAllText(Path.Combine(directory, FileName)))
        ?? throw new InvalidDataException($"{Path.Combine(directory, FileName)} is empty");

    internal static string CaptureRng() => Convert.ToBase64String(torch.get_rng_state());

    internal void RestoreRng() => torch.set_rng_state(Convert.FromBase64String(RngState));
}
