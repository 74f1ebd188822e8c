using System.IO.Compression;
using System.Text;

namespace Lrnn.PyTorchCheckpoints;

/// <summary>
/// The zip container of <c>torch.save</c> (PyTorch ≥ 1.6, torch/serialization.py <c>_save</c> with
/// caffe2's <c>PyTorchStreamWriter</c>): every record lies under one top-level folder (<c>archive/</c>, or the
/// file's stem in older versions): <c>data.pkl</c>, <c>data/&lt;storage key&gt;</c>, <c>byteorder</c>, <c>version</c>.
/// Records are stored uncompressed by torch; deflated ones (a re-zipped file) are read too, bounded by their
/// declared size.
/// </summary>
internal sealed class TorchArchive : IDisposable
{
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;

    private TorchArchive(string path, ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, string prefix)
    {
        Path = path;
        _zip = zip;
        _entries = entries;
        Prefix = prefix;
    }

    public string Path { get; }

    /// <summary>The top-level folder holding the records, with its trailing slash.</summary>
    public string Prefix { get; }

    public static TorchArchive Open(string path, PyTorchReadOptions options)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            RefuseOtherFormats(path, stream);
            ZipArchive zip;
            try
            {
                zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException or OverflowException)
            {
                throw new PyTorchCheckpointException(path, $"not a readable zip archive ({e.Message})", e);
            }
            try
            {
                return FromZip(path, zip, options);
            }
            catch
            {
                zip.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static TorchArchive FromZip(string path, ZipArchive zip, PyTorchReadOptions options)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in zip.Entries)
            {
                if (entries.Count >= options.MaxArchiveEntries)
                    throw new PyTorchCheckpointException(path, $"the archive has more than {options.MaxArchiveEntries} entries");
                if (!entries.TryAdd(entry.FullName, entry))
                    throw new PyTorchCheckpointException(path, $"the archive has two entries named '{entry.FullName}'");
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException or OverflowException)
        {
            throw new PyTorchCheckpointException(path, $"the zip archive's directory is corrupt ({e.Message})", e);
        }

        var pickles = entries.Keys.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - "/data.pkl".Length).ToList();
        if (pickles.Count != 1)
            throw new PyTorchCheckpointException(path, pickles.Count == 0
                ? "a zip archive without <folder>/data.pkl: not a torch.save checkpoint"
                : $"a zip archive with {pickles.Count} data.pkl records ({string.Join(", ", pickles)}): not a torch.save checkpoint");
        var prefix = pickles[0][..^"data.pkl".Length];
        if (entries.ContainsKey(prefix + "constants.pkl") || entries.Keys.Any(n => n.StartsWith(prefix + "code/", StringComparison.Ordinal)))
            throw new PyTorchCheckpointException(path,
                "a TorchScript archive (torch.jit.save: it has code/ and constants.pkl), not a torch.save state dict; " +
                "save the model's state_dict() with torch.save instead");
        return new TorchArchive(path, zip, entries, prefix);
    }

    /// <summary>A legacy (pre-1.6) torch.save file is a bare pickle stream; say so rather than "not a zip".</summary>
    private static void RefuseOtherFormats(string path, FileStream stream)
    {
        Span<byte> head = stackalloc byte[4];
        var n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        if (n == 4 && head[0] == (byte)'P' && head[1] == (byte)'K') return;
        if (n >= 2 && head[0] == 0x80 && head[1] <= 5)
            throw new PyTorchCheckpointException(path,
                "the legacy torch.save format (a bare pickle stream, PyTorch < 1.6 or _use_new_zipfile_serialization=False) " +
                "is not read: re-save it with PyTorch ≥ 1.6 (torch.save(torch.load(f), f)) or convert it to safetensors");
        throw new PyTorchCheckpointException(path, n == 0 ? "the file is empty" : "not a PyTorch checkpoint (a torch.save file is a zip archive)");
    }

    public bool Has(string record) => _entries.ContainsKey(Prefix + record);

    /// <summary>The bytes of record <paramref name="record"/> (relative to <see cref="Prefix"/>), at most <paramref name="maxBytes"/>.</summary>
    public byte[] Read(string record, long maxBytes)
    {
        if (!_entries.TryGetValue(Prefix + record, out var entry))
            throw new PyTorchCheckpointException(Path, $"the archive has no record '{Prefix + record}'");
        long length, compressed;
        try
        {
            length = entry.Length;
            compressed = entry.CompressedLength;
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
        {
            throw new PyTorchCheckpointException(Path, $"record '{entry.FullName}' is corrupt ({e.Message})", e);
        }
        if (length > maxBytes)
            throw new PyTorchCheckpointException(Path, $"record '{entry.FullName}' holds {length} bytes; the limit is {maxBytes}");
        // torch stores records uncompressed; a deflated record that inflates a thousandfold is a zip bomb, not a checkpoint.
        if (length > compressed && length > 1000 * compressed + (1 << 20))
            throw new PyTorchCheckpointException(Path, $"record '{entry.FullName}' inflates {compressed} bytes into {length}: refused as a zip bomb");
        if (length > Array.MaxLength)
            throw new PyTorchCheckpointException(Path, $"record '{entry.FullName}' holds {length} bytes, more than one .NET array can (split the tensor)");
        var buffer = new byte[length];
        try
        {
            using var s = entry.Open();
            var read = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read != buffer.Length || s.ReadByte() != -1)
                throw new PyTorchCheckpointException(Path, $"record '{entry.FullName}' does not hold the {length} bytes its header declares");
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or InvalidOperationException)
        {
            throw new PyTorchCheckpointException(Path, $"record '{entry.FullName}' is corrupt ({e.Message})", e);
        }
        return buffer;
    }

    /// <summary>A short text record (byteorder, version), trimmed; null when absent.</summary>
    public string? ReadText(string record)
    {
        if (!Has(record)) return null;
        var bytes = Read(record, 64);
        return Encoding.ASCII.GetString(bytes).Trim();
    }

    public void Dispose() => _zip.Dispose();
}
