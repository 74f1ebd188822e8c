using Lrnn.Config;
using Lrnn.Torch;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Lrnn.Checkpoints;

/// <summary>
/// A checkpoint folder of any layout <see cref="Models.LrnnLMHeadModel.FromPretrained"/> reads: which layout its
/// config.json is (<see cref="CheckpointLayout"/>), the <see cref="LrnnConfig"/> it describes, and its weights under
/// Lrnn's keys. Weights are model.safetensors (or its sharded index) when present, else pytorch_model.bin.
/// </summary>
public static class PretrainedFolder
{
    /// <summary>The layout of the folder's config.json.</summary>
    public static CheckpointLayout DetectLayout(string directory) => Detect(ReadJson(directory, out _));

    internal static CheckpointLayout Detect(JObject json) =>
        json["mixer_types"] is not null ? CheckpointLayout.Lrnn
        : HuggingFaceMambaLayout.Matches(json) ? CheckpointLayout.HuggingFaceMamba
        : MambaSsmLayout.Matches(json) ? CheckpointLayout.MambaSsm
        : CheckpointLayout.Lrnn;       // let LrnnConfig name what is missing

    /// <summary>The layout and the configuration; <paramref name="mixerKwargs"/> as <see cref="LrnnConfig.Load"/> (lrnnx folders lack them).</summary>
    public static (CheckpointLayout Layout, LrnnConfig Config) LoadConfig(string directory, JObject? mixerKwargs = null)
    {
        var json = ReadJson(directory, out var path);
        var layout = Detect(json);
        var config = layout switch
        {
            CheckpointLayout.MambaSsm => MambaSsmLayout.ToLrnnConfig(json, path),
            CheckpointLayout.HuggingFaceMamba => HuggingFaceMambaLayout.ToLrnnConfig(json, path),
            _ => LrnnConfig.Load(directory, mixerKwargs),      // bounds the sizes itself (LrnnConfig.FromJson)
        };
        // A foreign config's sizes get the same bound before anything is allocated.
        if (layout != CheckpointLayout.Lrnn) ConfigSizeBound.Check(config, path);
        return (layout, config);
    }

    /// <summary>
    /// The folder's weights under Lrnn's keys. The caller owns the result (dispose it). A folder holding both
    /// safetensors and pytorch_model.bin is read from safetensors (it cannot run code and maps without copies).
    /// </summary>
    public static LoadedCheckpoint LoadWeights(string directory, CheckpointLayout layout, Device? device = null, ScalarType? dtype = null,
        CancellationToken cancellationToken = default, IProgress<CheckpointLoadProgress>? progress = null)
    {
        var loaded = HasSafeTensors(directory)
            ? SafeTensorsCheckpoint.Load(directory, device, dtype, cancellationToken, progress)
            : File.Exists(Path.Combine(directory, PyTorchCheckpoint.FileName))
                ? PyTorchCheckpoint.Load(Path.Combine(directory, PyTorchCheckpoint.FileName), device, dtype, null, cancellationToken, progress)
                : File.Exists(Path.Combine(directory, PyTorchCheckpoint.IndexFileName))
                    ? PyTorchCheckpoint.LoadSharded(Path.Combine(directory, PyTorchCheckpoint.IndexFileName), device, dtype, null, cancellationToken, progress)
                    : throw new FileNotFoundException(
                        $"{directory} holds no weights: expected {SafeTensorsCheckpoint.SingleFileName}, a sharded safetensors index, " +
                        $"{PyTorchCheckpoint.FileName} or {PyTorchCheckpoint.IndexFileName}");
        if (layout != CheckpointLayout.HuggingFaceMamba) return loaded;
        var renamed = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, tensor) in loaded.Tensors) renamed.Add(HuggingFaceMambaLayout.ToLrnnKey(key), tensor);
        return new LoadedCheckpoint(renamed, loaded.Metadata);
    }

    private static bool HasSafeTensors(string directory) =>
        File.Exists(Path.Combine(directory, SafeTensorsCheckpoint.SingleFileName)) ||
        File.Exists(Path.Combine(directory, Lrnn.SafeTensors.SafeTensorsIndex.DefaultFileName));

    private static JObject ReadJson(string directory, out string path)
    {
        path = Directory.Exists(directory) ? Path.Combine(directory, LrnnConfig.FileName) : directory;
        try
        {
            return JObject.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new LrnnConfigException($"{path}: not a JSON object ({e.Message})");
        }
    }
}
