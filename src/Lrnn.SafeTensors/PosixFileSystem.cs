using System.Runtime.InteropServices;

namespace Lrnn.SafeTensors;

/// <summary>
/// The few POSIX calls that .NET's file API lacks and a crash-safe save needs: fsync of a folder (so a rename in it
/// is on disk), renameat2 with RENAME_EXCHANGE (swap two folders in one atomic step; Linux ≥ 3.15 on ext4, xfs,
/// btrfs, tmpfs, overlayfs), rename(2) of a folder over an empty one, and link(2) (carry a file into a new folder
/// without copying it).
/// </summary>
internal static partial class PosixFileSystem
{
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;
    private const int ORdOnly = 0, ODirectory = 0x10000, OCloExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Rename(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    /// <summary>Swaps two existing paths atomically; false when the kernel or file system cannot (ENOSYS, EINVAL).</summary>
    public static bool TryExchange(string a, string b)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            if (RenameAt2(AtFdCwd, a, AtFdCwd, b, RenameExchange) == 0) return true;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // a C library older than glibc 2.28
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno is 22 /* EINVAL */ or 38 /* ENOSYS */ or 95 /* EOPNOTSUPP */) return false;
        throw Failure("exchange", a, b, errno);
    }

    /// <summary>rename(2): atomically replaces <paramref name="to"/> when it is a file or an empty folder.</summary>
    public static void RenameOver(string from, string to)
    {
        if (!OperatingSystem.IsLinux())
        {
            Directory.Move(from, to);
            return;
        }
        if (Rename(from, to) != 0) throw Failure("rename", from, to, Marshal.GetLastPInvokeError());
    }

    /// <summary>A hard link, or a copy where the file system has none.</summary>
    public static void LinkOrCopy(string existing, string created)
    {
        if (OperatingSystem.IsLinux() && Link(existing, created) == 0) return;
        File.Copy(existing, created);
    }

    /// <summary>Flushes a folder's entries (names created, renamed or removed in it) to disk. No-op off Linux.</summary>
    public static void FsyncFolder(string folder) => Fsync(folder, ODirectory);

    /// <summary>Flushes a file's content to disk (through a read-only descriptor: the file may be read-only).</summary>
    public static void FsyncFile(string path)
    {
        if (OperatingSystem.IsLinux()) Fsync(path, 0);
        else
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            stream.Flush(flushToDisk: true);
        }
    }

    private static void Fsync(string path, int flags)
    {
        if (!OperatingSystem.IsLinux()) return; // the flag values below are Linux's
        var fd = Open(path, ORdOnly | OCloExec | flags);
        if (fd < 0) throw Failure("open", path, null, Marshal.GetLastPInvokeError());
        try
        {
            if (Fsync(fd) != 0) throw Failure("fsync", path, null, Marshal.GetLastPInvokeError());
        }
        finally
        {
            Close(fd);
        }
    }

    private static IOException Failure(string call, string a, string? b, int errno) =>
        new($"{call}('{a}'{(b is null ? "" : $", '{b}'")}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
