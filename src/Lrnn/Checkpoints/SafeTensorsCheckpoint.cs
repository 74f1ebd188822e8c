using Lrnn.SafeTensors;
using Lrnn.Torch;

namespace Lrnn.Checkpoints;

/// <summary>
/// Saves and loads named tensors as safetensors checkpoints, single-file or sharded, in the layout that
/// Hugging Face tools read and write (<c>model.safetensors</c>, or shards plus <c>model.safetensors.index.json</c>).
/// </summary>
public static class SafeTensorsCheckpoint
{
    public const string SingleFileName = "model.safetensors";

    /// <summary>
    /// Writes <paramref name="tensors"/> to the file <paramref name="pathOrDir"/>, or, when
    /// <paramref name="maxShardBytes"/> is given, as shards of at most that many data bytes plus an index in
    /// the folder <paramref name="pathOrDir"/>. Tensors that share storage (tied weights) are stored once, and
    /// each dropped name is recorded as <c>metadata[dropped] = kept</c>, as safetensors' <c>save_model</c>
    /// does; <c>{"format": "pt"}</c> is added unless <paramref name="metadata"/> sets "format". Tensor bytes
    /// are copied straight from libtorch into the file. A single file is replaced atomically; a sharded save replaces
    /// its folder atomically (<see cref="SafeTensorsWriter.SaveSharded"/>).
    /// </summary>
    public static void Save(string pathOrDir, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, long? maxShardBytes = null)
    {
        ArgumentNullException.ThrowIfNull(pathOrDir);
        ArgumentNullException.ThrowIfNull(tensors);
        var (entries, fileMetadata) = Entries(tensors, metadata);
        if (maxShardBytes is { } limit) SafeTensorsWriter.SaveSharded(pathOrDir, entries, limit, fileMetadata);
        else SafeTensorsWriter.Save(pathOrDir, entries, fileMetadata);
    }

    /// <summary>
    /// Writes the weights into <paramref name="folder"/> as <see cref="SingleFileName"/>, or as shards and an index, in
    /// place: for a checkpoint folder that the caller replaces as a whole (<see cref="AtomicFolder"/>), with the config.
    /// </summary>
    internal static void WriteInto(string folder, IReadOnlyDictionary<string, Tensor> tensors, long? maxShardBytes)
    {
        var (entries, fileMetadata) = Entries(tensors, metadata: null);
        if (maxShardBytes is { } limit) SafeTensorsWriter.WriteSharded(folder, entries, limit, fileMetadata);
        else SafeTensorsWriter.Save(Path.Combine(folder, SingleFileName), entries, fileMetadata);
    }

    /// <summary>True for the names the weights of a checkpoint folder take, in either layout: what a new save
    /// supersedes (<see cref="AtomicFolder.Replace"/>'s <c>isReplaced</c>).</summary>
    public static bool IsWeightsFile(string name) => ShardPaths.IsWeightsFile(name);

    private static (List<SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) Entries(
        IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var dropped = TiedTensors.FindDuplicates(tensors);

        var fileMetadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata) fileMetadata[key] = value;
        }
        foreach (var (name, kept) in dropped)
        {
            if (!fileMetadata.TryAdd(name, kept))
                throw new ArgumentException($"metadata key '{name}' is also a tied tensor's name, which the checkpoint must map to '{kept}'.", nameof(metadata));
        }

        var entries = tensors.Where(t => !dropped.ContainsKey(t.Key))
            .Select(t => new SafeTensorsEntry(t.Key, SafeTensorsDtypeMap.ToSafeTensors(t.Value.dtype, t.Key), t.Value.shape, t.Value.CopyBytesTo))
            .ToList();
        return (entries, fileMetadata);
    }

    /// <summary>
    /// Loads a checkpoint: a .safetensors file, an index file, or a folder holding
    /// <c>model.safetensors.index.json</c> or <c>model.safetensors</c>. Tensors go to <paramref name="device"/>
    /// (default CPU); floating-point tensors are converted to <paramref name="dtype"/> when given (integer, bool
    /// and complex tensors keep theirs, as with <c>Module.to(dtype)</c>). Names recorded as tied in the
    /// metadata come back as aliases of the kept tensor, sharing its storage. <paramref name="cancellationToken"/> is
    /// checked before each tensor (a cancelled load frees what it read and throws <see cref="OperationCanceledException"/>);
    /// <paramref name="progress"/> hears of each tensor read.
    /// </summary>
    public static LoadedCheckpoint Load(string path, Device? device = null, ScalarType? dtype = null,
        CancellationToken cancellationToken = default, IProgress<CheckpointLoadProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (dtype is { } d && !d.IsFloatingPoint())
            throw new ArgumentException($"dtype {d} is not a floating-point type; only floating-point tensors are converted.", nameof(dtype));

        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var indexPath = IndexPathOf(path);
            if (indexPath is null)
            {
                using var file = SafeTensorsFile.Open(Directory.Exists(path) ? Path.Combine(path, SingleFileName) : path);
                foreach (var view in file.Tensors)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    tensors.Add(view.Name, ToTensor(view, device, dtype));
                    progress?.Report(new CheckpointLoadProgress(tensors.Count, file.Tensors.Count));
                }
                foreach (var (key, value) in file.Metadata) metadata.Add(key, value);
            }
            else
            {
                using var sharded = SafeTensorsShardedFile.Open(indexPath);
                var total = sharded.Names.Count();
                foreach (var name in sharded.Names)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    tensors.Add(name, ToTensor(sharded[name], device, dtype));
                    progress?.Report(new CheckpointLoadProgress(tensors.Count, total));
                }
                foreach (var (key, value) in sharded.Shards.SelectMany(s => s.Metadata)) metadata.TryAdd(key, value);
            }
            foreach (var (name, kept) in metadata)
            {
                if (!tensors.ContainsKey(name) && tensors.TryGetValue(kept, out var keptTensor))
                    tensors.Add(name, keptTensor.alias().DetachFromDisposeScope());
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            throw;
        }
        return new LoadedCheckpoint(tensors, metadata);
    }

    /// <summary>The index to read, or null for a single file.</summary>
    private static string? IndexPathOf(string path)
    {
        if (path.EndsWith(SafeTensorsIndex.FileSuffix, StringComparison.Ordinal)) return path;
        if (!Directory.Exists(path)) return null;
        var index = Path.Combine(path, SafeTensorsIndex.DefaultFileName);
        return File.Exists(index) ? index : null;
    }

    private static Tensor ToTensor(TensorView view, Device? device, ScalarType? dtype)
    {
        var stored = SafeTensorsDtypeMap.ToScalarType(view.Dtype);
        var shape = view.Shape.ToArray();
        if (dtype is not { } target || target == stored || !stored.IsFloatingPoint())
            return torch.from_bytes(view.Data, stored, shape, device).DetachFromDisposeScope();
        using var cpu = torch.from_bytes(view.Data, stored, shape);
        return cpu.to(target, device ?? Device.CPU).DetachFromDisposeScope();
    }
}
