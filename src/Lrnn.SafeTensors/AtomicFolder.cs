namespace Lrnn.SafeTensors;

/// <summary>
/// Replaces a whole folder (a checkpoint: config, weights, optimizer state, ...) so that at any moment, a kill -9 or a
/// power loss included, the folder holds either everything of the previous save or everything of the new one.
/// <para>
/// Design: the new content is written into a fresh sibling folder (<c>.{name}.lrnn-staging-{pid}-{guid}</c>), every
/// file and the folder are fsynced, and the two folders are swapped with one <c>renameat2(RENAME_EXCHANGE)</c>; the
/// parent is fsynced and the old content, now under the sibling's name, is deleted. Why this and not a manifest of
/// content hashes written last: readers need no change (a folder saved by any version, or by Hugging Face tools,
/// loads as before, and nothing is hashed on load), the files keep their standard names, and a half-written save is
/// never inside the folder at all. Why the exchange: a swap by two plain renames (old away, new in) leaves a moment
/// with no folder; the exchange has none. Where the kernel or file system cannot exchange (not Linux, or a file
/// system without it), the two renames are used, and that moment exists: a kill there leaves the old content under
/// its sibling name and the next save of the folder puts it back before anything else.
/// </para>
/// <para>
/// Files in the old folder that the new save does not write and that <c>isReplaced</c> does not claim (a README, a
/// tokenizer written by another tool, a sub-folder) are carried into the new folder as hard links before the swap, so
/// replacing a checkpoint does not delete what else the folder held. Stale temporaries of earlier, killed saves are
/// removed first (<see cref="TemporaryNames"/>); the loader never reads them (they are hidden siblings, and inside a
/// folder it opens files by their exact names).
/// </para>
/// </summary>
public static class AtomicFolder
{
    /// <summary>
    /// Calls <paramref name="write"/> with an empty staging folder to fill, then makes it <paramref name="directory"/>.
    /// <paramref name="isReplaced"/> names the top-level entries of the old folder that the new content supersedes
    /// even when it does not rewrite them (the other layout of the weights, say), so they are not carried over.
    /// </summary>
    public static void Replace(string directory, Action<string> write, Func<string, bool>? isReplaced = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(write);
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var parent = Path.GetDirectoryName(target) ?? throw new ArgumentException($"cannot replace the root folder '{target}'.", nameof(directory));
        var name = Path.GetFileName(target);
        if (File.Exists(target)) throw new IOException($"'{target}' is a file, not a folder.");
        Directory.CreateDirectory(parent);
        RestoreInterruptedSwap(parent, name, target);
        TemporaryNames.RemoveStale(parent, name);

        var staging = Path.Combine(parent, TemporaryNames.StagingFolder(name));
        Directory.CreateDirectory(staging);
        try
        {
            write(staging);
            if (Directory.Exists(target)) CarryOver(target, staging, isReplaced ?? (_ => false));
            FsyncTree(staging);
            PosixFileSystem.FsyncFolder(parent); // the staging folder's own name
            Swap(staging, target);
            PosixFileSystem.FsyncFolder(parent);
        }
        catch
        {
            DeleteQuietly(staging); // before the swap: the new content; a kill here leaves it for the next save
            throw;
        }
        DeleteQuietly(staging); // after the swap: the old content
    }

    private static void Swap(string staging, string target)
    {
        if (!Directory.Exists(target))
        {
            PosixFileSystem.RenameOver(staging, target);
            return;
        }
        if (PosixFileSystem.TryExchange(staging, target)) return;
        // No exchange here: two renames, with a moment without the folder (see RestoreInterruptedSwap).
        var retired = staging + ".old";
        PosixFileSystem.RenameOver(target, retired);
        PosixFileSystem.RenameOver(staging, target);
        PosixFileSystem.RenameOver(retired, staging);
    }

    /// <summary>After a kill between the two renames of the fallback swap the folder is missing and its old content
    /// sits under a sibling name ending in ".old"; put it back.</summary>
    private static void RestoreInterruptedSwap(string parent, string name, string target)
    {
        if (Directory.Exists(target)) return;
        var retired = Directory.EnumerateDirectories(parent)
            .Where(p => p.EndsWith(".old", StringComparison.Ordinal) && TemporaryNames.IsOurs(Path.GetFileName(p)[..^4], name))
            .OrderByDescending(Directory.GetLastWriteTimeUtc)
            .FirstOrDefault();
        if (retired is not null) PosixFileSystem.RenameOver(retired, target);
    }

    private static void CarryOver(string from, string to, Func<string, bool> isReplaced)
    {
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var destination = Path.Combine(to, entry.Name);
            if (isReplaced(entry.Name) || Path.Exists(destination)) continue;
            Link(entry, destination);
        }
    }

    private static void Link(FileSystemInfo entry, string destination)
    {
        if (entry.LinkTarget is { } link)
        {
            if (entry is DirectoryInfo) Directory.CreateSymbolicLink(destination, link);
            else File.CreateSymbolicLink(destination, link);
        }
        else if (entry is DirectoryInfo folder)
        {
            Directory.CreateDirectory(destination);
            foreach (var child in folder.EnumerateFileSystemInfos()) Link(child, Path.Combine(destination, child.Name));
        }
        else PosixFileSystem.LinkOrCopy(entry.FullName, destination);
    }

    private static void FsyncTree(string folder)
    {
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null) continue;
            if (entry is DirectoryInfo child) FsyncTree(child.FullName);
            else PosixFileSystem.FsyncFile(entry.FullName);
        }
        PosixFileSystem.FsyncFolder(folder);
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
