using System.Globalization;
using System.Text.RegularExpressions;

namespace Lrnn.SafeTensors;

/// <summary>
/// Names and clean-up of the temporary files and folders that saves create next to their target. A save killed with
/// SIGKILL runs no catch or finally, so its temporaries stay; the next save of the same target removes them. Only
/// names of our own pattern are touched, never the target or anything else:
/// <list type="bullet">
/// <item><c>.{target}.lrnn-{pid}-{guid}.tmp</c>: a file being written (<see cref="AtomicFile"/>);</item>
/// <item><c>.{target}.lrnn-staging-{pid}-{guid}</c>: a folder being written, or the previous content after a swap
/// (<see cref="AtomicFolder"/>), and <c>….old</c>, the previous content during a swap by two renames;</item>
/// <item><c>.{target}.{guid}.tmp</c>: a file of the format written before the process id was recorded.</item>
/// </list>
/// A temporary is stale when the process that made it no longer runs (so a concurrent save by another live process is
/// left alone), or, whatever its process id says (ids are reused), when it is older than <see cref="StaleAge"/>; one
/// without a process id only by age.
/// </summary>
internal static partial class TemporaryNames
{
    /// <summary>Age past which a temporary of ours is stale even if its process id is in use again.</summary>
    public static readonly TimeSpan StaleAge = TimeSpan.FromHours(1);

    public static string TemporaryFile(string targetName) =>
        $".{targetName}.lrnn-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";

    public static string StagingFolder(string targetName) =>
        $".{targetName}.lrnn-staging-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>True when <paramref name="name"/> is a temporary of ours for <paramref name="targetName"/>.</summary>
    public static bool IsOurs(string name, string targetName) => Parse(name, targetName).IsOurs;

    /// <summary>Removes the stale temporaries of <paramref name="targetName"/> in <paramref name="folder"/>; returns how many.
    /// Best effort: one that cannot be removed now (another process removing it too) is left for the next save.</summary>
    public static int RemoveStale(string folder, string targetName)
    {
        if (!Directory.Exists(folder)) return 0;
        var removed = 0;
        foreach (var path in Directory.EnumerateFileSystemEntries(folder))
        {
            var (ours, pid) = Parse(Path.GetFileName(path), targetName);
            if (!ours || !IsStale(path, pid)) continue;
            try
            {
                if (Directory.Exists(path) && !new DirectoryInfo(path).Attributes.HasFlag(FileAttributes.ReparsePoint)) Directory.Delete(path, recursive: true);
                else File.Delete(path);
                removed++;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    private static bool IsStale(string path, int? pid)
    {
        var age = DateTime.UtcNow - File.GetLastWriteTimeUtc(path);
        if (age > StaleAge) return true;
        return pid is { } id && id != Environment.ProcessId && !IsRunning(id);
    }

    /// <summary>Whether a process with this id runs (in this process's pid namespace).</summary>
    internal static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsLinux()) return Directory.Exists($"/proc/{pid}");
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static (bool IsOurs, int? Pid) Parse(string name, string targetName)
    {
        var prefix = "." + targetName + ".";
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return (false, null);
        var rest = name[prefix.Length..];
        var match = Ours().Match(rest);
        if (match.Success) return (true, int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture));
        return (Legacy().IsMatch(rest), null);
    }

    [GeneratedRegex(@"^lrnn-(staging-)?(?<pid>[0-9]{1,9})-[0-9a-f]{32}(\.tmp|\.old)?$")]
    private static partial Regex Ours();

    [GeneratedRegex(@"^[0-9a-f]{32}\.tmp$")]
    private static partial Regex Legacy();
}
