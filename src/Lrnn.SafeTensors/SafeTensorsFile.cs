using System.IO.MemoryMappedFiles;

namespace Lrnn.SafeTensors;

/// <summary>
/// A read-only, memory-mapped .safetensors file. <see cref="Open"/> validates the whole layout before any
/// tensor is handed out; the tensors' bytes are then read straight from the mapping. Dispose unmaps the file
/// (and invalidates every <see cref="TensorView.Data"/> span).
/// </summary>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    /// <summary>The most tensors one file may list (<see cref="SafeTensorsRule.TooManyTensors"/>): 100,000.</summary>
    public const int MaxTensorCount = SafeTensorsHeader.MaxTensorCount;

    private readonly MemoryMappedFile _mapping;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly Dictionary<string, TensorView> _byName;
    private bool _disposed;

    private SafeTensorsFile(string path, MemoryMappedFile mapping, MemoryMappedViewAccessor view, byte* start, long length)
    {
        _mapping = mapping;
        _view = view;
        _base = start;
        Path = path;
        Length = length;

        var header = SafeTensorsHeader.Parse(new ReadOnlySpan<byte>(start, (int)Math.Min(length, SafeTensorsHeader.LengthPrefixSize + SafeTensorsHeader.MaxHeaderSize)), length, path);
        Metadata = header.Metadata;
        var tensors = new TensorView[header.Tensors.Count];
        _byName = new Dictionary<string, TensorView>(tensors.Length, StringComparer.Ordinal);
        for (var i = 0; i < tensors.Length; i++)
        {
            var info = header.Tensors[i];
            tensors[i] = new TensorView(this, info, header.DataStart + info.Begin);
            _byName.Add(info.Name, tensors[i]);
        }
        Tensors = tensors;
    }

    /// <summary>Maps and validates <paramref name="path"/>; throws <see cref="SafeTensorsFormatException"/> naming the broken rule.</summary>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        MemoryMappedFile? mapping = null;
        MemoryMappedViewAccessor? view = null;
        var pointerAcquired = false;
        try
        {
            var length = stream.Length;
            // An empty file cannot be mapped; let the header rules report every short file the same way.
            if (length < SafeTensorsHeader.LengthPrefixSize) SafeTensorsHeader.Parse(default, length, fullPath);
            mapping = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            pointerAcquired = true;
            return new SafeTensorsFile(fullPath, mapping, view, start + view.PointerOffset, length);
        }
        catch
        {
            if (pointerAcquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            mapping?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The absolute path of the file.</summary>
    public string Path { get; }

    /// <summary>The file's length in bytes.</summary>
    public long Length { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in file order (by offset).</summary>
    public IReadOnlyList<TensorView> Tensors { get; }

    public IEnumerable<string> Names => Tensors.Select(t => t.Name);

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGetTensor(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TensorView tensor) =>
        _byName.TryGetValue(name, out tensor);

    public TensorView this[string name] =>
        _byName.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"{Path} holds no tensor named '{name}'.");

    internal ReadOnlySpan<byte> Bytes(long offset, long length, string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (length > int.MaxValue)
            throw new NotSupportedException($"tensor '{name}' of {Path} has {length} bytes, more than one span can address ({int.MaxValue}).");
        return new ReadOnlySpan<byte>(_base + offset, (int)length);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _mapping.Dispose();
    }

    public override string ToString() => $"{Path} ({Tensors.Count} tensors)";
}
