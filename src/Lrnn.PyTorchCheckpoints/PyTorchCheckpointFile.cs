namespace Lrnn.PyTorchCheckpoints;

/// <summary>
/// A state dict saved by <c>torch.save</c> (<c>pytorch_model.bin</c>, <c>.pt</c>, <c>.pth</c>), read without Python
/// and without running anything the file says: the pickle is interpreted by a restricted unpickler that accepts only
/// what torch.save writes for a dict of tensors. <see cref="Tensors"/> lists the views as PyTorch stored them;
/// <see cref="ReadContiguous"/> materialises one as row-major bytes, whatever its strides and offset;
/// <see cref="TiedTo"/> tells which names are the same tensor. Storages are read on demand (the last one is kept,
/// so tied names and slices of one buffer read it once when they are visited together).
/// </summary>
public sealed class PyTorchCheckpointFile : IDisposable
{
    private readonly TorchArchive _archive;
    private readonly PyTorchReadOptions _options;
    private readonly Dictionary<string, PyTorchTensorInfo> _byName;
    private readonly Dictionary<string, string> _tiedTo;
    private (string Key, byte[] Bytes)? _lastStorage;

    private PyTorchCheckpointFile(TorchArchive archive, PyTorchReadOptions options, List<PyTorchTensorInfo> tensors, int? version)
    {
        _archive = archive;
        _options = options;
        Tensors = tensors;
        FormatVersion = version;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _tiedTo = FindTies(tensors);
    }

    /// <summary>The tensors in the order the state dict lists them.</summary>
    public IReadOnlyList<PyTorchTensorInfo> Tensors { get; }

    /// <summary>The archive's <c>version</c> record (torch writes 3 for state dicts since 1.6), or null when absent.</summary>
    public int? FormatVersion { get; }

    public string Path => _archive.Path;

    public PyTorchTensorInfo this[string name] => _byName.TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");

    /// <summary>
    /// The name that <paramref name="name"/> is tied to (an earlier name viewing the same elements of the same
    /// storage, as <c>lm_head.weight</c> and <c>backbone.embedding.weight</c> of a tied model), or null.
    /// </summary>
    public string? TiedTo(string name) => _tiedTo.GetValueOrDefault(name);

    public static PyTorchCheckpointFile Open(string path, PyTorchReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= PyTorchReadOptions.Default;
        var archive = TorchArchive.Open(path, options);
        try
        {
            var byteorder = archive.ReadText("byteorder");
            if (byteorder is not (null or "little"))
                throw new PyTorchCheckpointException(path, $"byteorder '{byteorder}': only little-endian checkpoints are read");
            int? version = null;
            if (archive.ReadText("version") is { } v)
                version = int.TryParse(v, out var n) ? n : throw new PyTorchCheckpointException(path, $"the version record '{v}' is not an integer");
            var root = PickleUnpickler.Load(archive.Read("data.pkl", options.MaxPickleBytes), path);
            return new PyTorchCheckpointFile(archive, options, StateDict(path, root), version);
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    /// <summary>The unpickled root must be a dict (or OrderedDict) of string → tensor, the form of <c>module.state_dict()</c>.</summary>
    private static List<PyTorchTensorInfo> StateDict(string path, object? root)
    {
        if (root is not PickleDict dict)
            throw new PyTorchCheckpointException(path, $"the checkpoint holds {PickleUnpickler.Describe(root)}, not a state dict (a dict of name → tensor)");
        var tensors = new List<PyTorchTensorInfo>(dict.Items.Count);
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name) throw new PyTorchCheckpointException(path, $"a state dict key {PickleUnpickler.Describe(key)} is not a string");
            if (value is not TensorReference tensor)
                throw new PyTorchCheckpointException(path,
                    $"'{name}' holds {PickleUnpickler.Describe(value)}, not a tensor (a training checkpoint with optimizer state or " +
                    "nested dicts is not a state dict: save model.state_dict() alone)");
            tensors.Add(new PyTorchTensorInfo(name, tensor));
        }
        return tensors;
    }

    private static Dictionary<string, string> FindTies(List<PyTorchTensorInfo> tensors)
    {
        var tied = new Dictionary<string, string>(StringComparer.Ordinal);
        var firstByView = new List<PyTorchTensorInfo>();
        foreach (var group in tensors.GroupBy(t => t.StorageKey))
        {
            firstByView.Clear();
            foreach (var t in group)
            {
                var same = firstByView.Find(f => f.IsSameViewAs(t));
                if (same is null) firstByView.Add(t);
                else tied.Add(t.Name, same.Name);
            }
        }
        return tied;
    }

    /// <summary>The elements of <paramref name="tensor"/> as row-major bytes (little-endian), a fresh array.</summary>
    public byte[] ReadContiguous(PyTorchTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var elementSize = tensor.Dtype.ElementSize();
        var storageBytes = checked(tensor.StorageNumel * elementSize);
        var bytes = checked(tensor.Numel * elementSize);
        if (bytes > storageBytes && bytes > _options.MaxExpandedTensorBytes)
            throw new PyTorchCheckpointException(Path,
                $"'{tensor.Name}' expands {storageBytes} bytes of storage into {bytes} (limit {_options.MaxExpandedTensorBytes}; see PyTorchReadOptions)");
        if (bytes > Array.MaxLength)
            throw new PyTorchCheckpointException(Path, $"'{tensor.Name}' holds {bytes} bytes, more than one .NET array can");
        var storage = Storage(tensor);
        var result = new byte[bytes];
        if (bytes > 0) StridedCopy.ToContiguous(storage, tensor.StorageOffset, tensor.Shape, tensor.Stride, elementSize, result);
        return result;
    }

    private byte[] Storage(PyTorchTensorInfo tensor)
    {
        if (_lastStorage is { } last && last.Key == tensor.StorageKey) return last.Bytes;
        var expected = checked(tensor.StorageNumel * tensor.Dtype.ElementSize());
        var bytes = _archive.Read("data/" + tensor.StorageKey, expected);
        if (bytes.Length != expected)
            throw new PyTorchCheckpointException(Path,
                $"storage '{tensor.StorageKey}' holds {bytes.Length} bytes but the pickle declares {tensor.StorageNumel} {tensor.Dtype} elements ({expected} bytes)");
        _lastStorage = (tensor.StorageKey, bytes);
        return bytes;
    }

    public void Dispose()
    {
        _lastStorage = null;
        _archive.Dispose();
    }
}
