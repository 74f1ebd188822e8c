namespace Lrnn.SafeTensors;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file in the same folder (so the rename
/// stays within one file system), is flushed to disk, and is then renamed over the target. A failure at any
/// point leaves the previous file as it was and removes the temporary one.
/// </summary>
internal static class AtomicFile
{
    public static void Replace(string path, Action<FileStream> write)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
