using Lrnn.PyTorchCheckpoints;
using Lrnn.Torch;

namespace Lrnn.Checkpoints;

/// <summary>
/// Loads a state dict that <c>torch.save</c> wrote (<c>pytorch_model.bin</c>, <c>.pt</c>) into libtorch tensors,
/// through the restricted reader of <see cref="PyTorchCheckpointFile"/> (nothing in the file is executed).
/// Every tensor comes back contiguous with the values of its view; names tied in the file (the same view of one
/// storage, as a tied <c>lm_head.weight</c>) come back as aliases of one tensor, as safetensors ties do.
/// </summary>
public static class PyTorchCheckpoint
{
    public const string FileName = "pytorch_model.bin";

    /// <summary>The index of a sharded .bin checkpoint (transformers' <c>{"weight_map": {name: shard file}}</c>).</summary>
    public const string IndexFileName = "pytorch_model.bin.index.json";

    /// <summary>
    /// Reads <paramref name="path"/>; tensors go to <paramref name="device"/> (default CPU) and floating-point ones
    /// are converted to <paramref name="dtype"/> when given, as <see cref="SafeTensorsCheckpoint.Load"/> does.
    /// </summary>
    public static LoadedCheckpoint Load(string path, Device? device = null, ScalarType? dtype = null, PyTorchReadOptions? options = null,
        CancellationToken cancellationToken = default, IProgress<CheckpointLoadProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (dtype is { } d && !d.IsFloatingPoint())
            throw new ArgumentException($"dtype {d} is not a floating-point type; only floating-point tensors are converted.", nameof(dtype));
        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var file = PyTorchCheckpointFile.Open(path, options);
            foreach (var info in file.Tensors)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (file.TiedTo(info.Name) is { } kept) tensors.Add(info.Name, tensors[kept].alias().DetachFromDisposeScope());
                else tensors.Add(info.Name, ToTensor(file.ReadContiguous(info), ToScalarType(info.Dtype), info.Shape.ToArray(), device, dtype));
                progress?.Report(new CheckpointLoadProgress(tensors.Count, file.Tensors.Count));
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            throw;
        }
        return new LoadedCheckpoint(tensors, new Dictionary<string, string>());
    }

    /// <summary>
    /// Reads a sharded checkpoint: every shard named by the index's <c>weight_map</c> (plain file names in the index's
    /// folder), keeping the tensors the map assigns to that shard; a name the map lists but no shard holds is an error.
    /// </summary>
    public static LoadedCheckpoint LoadSharded(string indexPath, Device? device = null, ScalarType? dtype = null, PyTorchReadOptions? options = null,
        CancellationToken cancellationToken = default, IProgress<CheckpointLoadProgress>? progress = null)
    {
        Dictionary<string, string> map;
        try
        {
            var json = Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllText(indexPath));
            map = ((Newtonsoft.Json.Linq.JObject?)json["weight_map"] ?? throw new PyTorchCheckpointException(indexPath, "the index has no weight_map"))
                .Properties().ToDictionary(p => p.Name, p => (string?)p.Value ?? "", StringComparer.Ordinal);
        }
        catch (Exception e) when (e is Newtonsoft.Json.JsonException or InvalidCastException or ArgumentException)
        {
            throw new PyTorchCheckpointException(indexPath, $"not a shard index ({e.Message})", e);
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var shard in map.Values.Distinct())
            {
                if (shard.Length == 0 || Path.GetFileName(shard) != shard || shard is "." or "..")
                    throw new PyTorchCheckpointException(indexPath, $"shard '{shard}' is not a file name in the index's folder");
                using var part = Load(Path.Combine(folder, shard), device, dtype, options, cancellationToken);
                foreach (var (name, tensor) in part.Tensors)
                    if (map.GetValueOrDefault(name) == shard) tensors.Add(name, tensor.alias().DetachFromDisposeScope());
                progress?.Report(new CheckpointLoadProgress(tensors.Count, map.Count));
            }
            var missing = map.Keys.Where(k => !tensors.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                throw new PyTorchCheckpointException(indexPath, $"the weight_map lists tensors no shard holds: {string.Join(", ", missing.Take(10))}");
        }
        catch
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            throw;
        }
        return new LoadedCheckpoint(tensors, new Dictionary<string, string>());
    }

    private static Tensor ToTensor(byte[] bytes, ScalarType stored, long[] shape, Device? device, ScalarType? dtype)
    {
        if (dtype is not { } target || target == stored || !stored.IsFloatingPoint())
            return torch.from_bytes(bytes, stored, shape, device).DetachFromDisposeScope();
        using var cpu = torch.from_bytes(bytes, stored, shape);
        return cpu.to(target, device ?? Device.CPU).DetachFromDisposeScope();
    }

    internal static ScalarType ToScalarType(PyTorchDtype dtype) => dtype switch
    {
        PyTorchDtype.Float32 => ScalarType.Float32,
        PyTorchDtype.Float64 => ScalarType.Float64,
        PyTorchDtype.Float16 => ScalarType.Float16,
        PyTorchDtype.BFloat16 => ScalarType.BFloat16,
        PyTorchDtype.Int64 => ScalarType.Int64,
        PyTorchDtype.Int32 => ScalarType.Int32,
        PyTorchDtype.Int16 => ScalarType.Int16,
        PyTorchDtype.Int8 => ScalarType.Int8,
        PyTorchDtype.UInt8 => ScalarType.Byte,
        PyTorchDtype.Bool => ScalarType.Bool,
        PyTorchDtype.Complex64 => ScalarType.ComplexFloat32,
        PyTorchDtype.Complex128 => ScalarType.ComplexFloat64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };
}
