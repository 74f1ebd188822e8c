using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace Lrnn.SafeTensors;

/// <summary>
/// Writes .safetensors files the way the reference writer (<c>prepare</c> in safetensors' tensor.rs) lays
/// them out: tensors sorted by dtype alignment (descending), then by name; contiguous offsets; the header
/// padded with spaces to a multiple of 8. Every file is replaced atomically (see <see cref="AtomicFile"/>).
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes one file. <paramref name="metadata"/> becomes <c>__metadata__</c> (omitted when null).</summary>
    public static unsafe void Save(string path, IEnumerable<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(entries);
        var (ordered, tensors) = Layout(entries);
        if (tensors.Count > SafeTensorsHeader.MaxTensorCount) throw HeaderJsonReader.TooManyTensors(Path.GetFullPath(path), "the file would list");
        var header = HeaderJsonWriter.Write(metadata, tensors);
        if (header.Length > SafeTensorsHeader.MaxHeaderSize)
            throw new SafeTensorsFormatException(SafeTensorsRule.HeaderTooLarge, Path.GetFullPath(path),
                $"the header would take {header.Length} bytes; the limit is {SafeTensorsHeader.MaxHeaderSize}");
        var dataStart = SafeTensorsHeader.LengthPrefixSize + (long)header.Length;
        var length = dataStart + (tensors.Count == 0 ? 0 : tensors[^1].End);

        AtomicFile.Replace(path, stream =>
        {
            stream.SetLength(length);
            using var mapping = MemoryMappedFile.CreateFromFile(stream, null, length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
            using var view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            try
            {
                start += view.PointerOffset;
                BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(start, SafeTensorsHeader.LengthPrefixSize), (ulong)header.Length);
                header.CopyTo(new Span<byte>(start + SafeTensorsHeader.LengthPrefixSize, header.Length));
                for (var i = 0; i < ordered.Count; i++)
                {
                    var size = tensors[i].ByteLength;
                    if (size > int.MaxValue)
                        throw new NotSupportedException($"tensor '{tensors[i].Name}' has {size} bytes, more than one span can address ({int.MaxValue}).");
                    ordered[i].WriteData(new Span<byte>(start + dataStart + tensors[i].Begin, (int)size));
                }
            }
            finally
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
            }
            view.Flush();
        });
    }

    /// <summary>
    /// Writes the entries as shards of at most <paramref name="maxShardBytes"/> bytes of tensor data each
    /// (a larger tensor gets a shard of its own), named <c>{baseName}-00001-of-0000N.safetensors</c>, plus
    /// the index <c>{baseName}.safetensors.index.json</c>. Shards are filled in the order given. The folder is
    /// replaced as a whole (<see cref="AtomicFolder"/>): a reader sees the previous shards and index or the new ones,
    /// never a mix, and shards of an earlier layout (more shards, or a single <c>{baseName}.safetensors</c>) are gone;
    /// other files of the folder stay. Returns the index's path.
    /// </summary>
    public static string SaveSharded(string folder, IEnumerable<SafeTensorsEntry> entries, long maxShardBytes,
        IReadOnlyDictionary<string, string>? metadata = null, string baseName = "model")
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        ArgumentException.ThrowIfNullOrEmpty(baseName);
        var all = entries.ToList();
        RejectDuplicateNames(all); // before anything is written
        AtomicFolder.Replace(folder, staging => WriteSharded(staging, all, maxShardBytes, metadata, baseName),
            name => ShardPaths.IsWeightsFile(name, baseName));
        return Path.GetFullPath(Path.Combine(folder, baseName + SafeTensorsIndex.FileSuffix));
    }

    /// <summary>Writes the shards and then the index into <paramref name="folder"/>, in place: for a folder that the
    /// caller replaces as a whole (<see cref="AtomicFolder"/>).</summary>
    internal static string WriteSharded(string folder, IEnumerable<SafeTensorsEntry> entries, long maxShardBytes,
        IReadOnlyDictionary<string, string>? metadata = null, string baseName = "model")
    {
        var all = entries.ToList();
        RejectDuplicateNames(all);

        var shards = new List<List<SafeTensorsEntry>>();
        long current = 0;
        foreach (var entry in all)
        {
            if (shards.Count == 0 || (current + entry.ByteSize > maxShardBytes && current > 0))
            {
                shards.Add(new List<SafeTensorsEntry>());
                current = 0;
            }
            shards[^1].Add(entry);
            current += entry.ByteSize;
        }
        if (shards.Count == 0) shards.Add(new List<SafeTensorsEntry>());

        var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < shards.Count; i++)
        {
            var fileName = $"{baseName}-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            Save(Path.Combine(folder, fileName), shards[i], metadata);
            foreach (var entry in shards[i]) weightMap.Add(entry.Name, fileName);
        }
        var index = new SafeTensorsIndex(all.Sum(e => e.ByteSize), weightMap);
        var indexPath = Path.Combine(folder, baseName + SafeTensorsIndex.FileSuffix);
        index.Save(indexPath);
        return Path.GetFullPath(indexPath);
    }

    /// <summary>The entries in file order, with their offsets.</summary>
    private static (List<SafeTensorsEntry> Ordered, List<TensorInfo> Tensors) Layout(IEnumerable<SafeTensorsEntry> entries)
    {
        var ordered = entries.ToList();
        RejectDuplicateNames(ordered);
        ordered.Sort((a, b) =>
        {
            var byDtype = b.Dtype.CompareTo(a.Dtype);
            return byDtype != 0 ? byDtype : CompareByCodePoint(a.Name, b.Name);
        });
        var tensors = new List<TensorInfo>(ordered.Count);
        long offset = 0;
        foreach (var entry in ordered)
        {
            tensors.Add(new TensorInfo(entry.Name, entry.Dtype, entry.ShapeArray, offset, checked(offset + entry.ByteSize)));
            offset += entry.ByteSize;
        }
        return (ordered, tensors);
    }

    private static void RejectDuplicateNames(List<SafeTensorsEntry> entries)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
            if (!names.Add(entry.Name)) throw new ArgumentException($"two tensors are named '{entry.Name}'.", nameof(entries));
        }
    }

    /// <summary>Unicode scalar order, which is the byte order of the reference's UTF-8 strings (UTF-16 ordinal
    /// order differs for characters beyond U+FFFF).</summary>
    private static int CompareByCodePoint(string a, string b)
    {
        var left = a.EnumerateRunes();
        var right = b.EnumerateRunes();
        while (true)
        {
            var hasLeft = left.MoveNext();
            var hasRight = right.MoveNext();
            if (!hasLeft || !hasRight) return hasLeft.CompareTo(hasRight);
            var c = left.Current.Value.CompareTo(right.Current.Value);
            if (c != 0) return c;
        }
    }
}
