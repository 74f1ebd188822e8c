namespace Lrnn.SafeTensors;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file in the same folder (so the rename
/// stays within one file system), is flushed to disk, and is then renamed over the target, and the folder is
/// flushed so the rename itself survives a power loss. A failure leaves the previous file as it was and removes the
/// temporary one; a kill (which runs no catch) leaves the temporary, which the next replacement of the same file
/// removes (<see cref="TemporaryNames"/>).
/// </summary>
internal static class AtomicFile
{
    public static void Replace(string path, Action<FileStream> write)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        var name = Path.GetFileName(fullPath);
        Directory.CreateDirectory(folder);
        TemporaryNames.RemoveStale(folder, name);
        var temporary = Path.Combine(folder, TemporaryNames.TemporaryFile(name));
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
            PosixFileSystem.FsyncFolder(folder);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
