namespace Lrnn.SafeTensors;

/// <summary>
/// Resolves the shard file names of an index, refusing any that would read outside the index's folder: an
/// index is data from the internet, and "../../.ssh/id_rsa" or a symbolic link to /etc must not be opened as
/// a shard. A shard must be a plain file name in that folder, and, once every link is resolved, still be there.
/// </summary>
internal static class ShardPaths
{
    // As Linux's MAXSYMLINKS: beyond this many links a path is treated as a loop.
    private const int MaxLinkDepth = 40;

    public static string Resolve(string indexPath, string shardFileName)
    {
        var folder = Path.GetDirectoryName(indexPath)!;
        if (shardFileName.Length == 0 || shardFileName is "." or ".." || Path.IsPathRooted(shardFileName) ||
            shardFileName.IndexOfAny(['/', '\\']) >= 0)
            throw Escape(indexPath, $"shard '{shardFileName}' is not a plain file name in the index's folder");
        var shardPath = Path.Combine(folder, shardFileName);
        var realFolder = RealPath(folder, 0);
        var realShard = RealPath(shardPath, 0);
        if (!string.Equals(Path.GetDirectoryName(realShard), realFolder, StringComparison.Ordinal))
            throw Escape(indexPath, $"shard '{shardFileName}' is a link to '{realShard}', outside the index's folder '{realFolder}'");
        return shardPath;
    }

    /// <summary>The absolute path with every symbolic link resolved, component by component (as realpath(3)).</summary>
    private static string RealPath(string path, int depth)
    {
        if (depth > MaxLinkDepth) throw new IOException($"too many levels of symbolic links resolving '{path}'");
        var full = Path.GetFullPath(path);
        var resolved = Path.GetPathRoot(full)!;
        foreach (var part in full[resolved.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            var target = new FileInfo(next).LinkTarget;
            resolved = target is null ? next : RealPath(Path.Combine(resolved, target), depth + 1);
        }
        return resolved;
    }

    /// <summary>True for the names a checkpoint's weights take in either layout: <c>{baseName}.safetensors</c>,
    /// <c>{baseName}.safetensors.index.json</c> and <c>{baseName}-NNNNN-of-NNNNN.safetensors</c>.</summary>
    public static bool IsWeightsFile(string name, string baseName = "model")
    {
        if (name == baseName + ".safetensors" || name == baseName + SafeTensorsIndex.FileSuffix) return true;
        var shard = name.AsSpan();
        const string Suffix = ".safetensors";
        // {baseName}-00001-of-00003.safetensors: five or more digits each side, as Hugging Face writes them.
        if (!shard.StartsWith(baseName + "-") || !shard.EndsWith(Suffix)) return false;
        var middle = shard[(baseName.Length + 1)..^Suffix.Length];
        var of = middle.IndexOf("-of-");
        return of >= 5 && middle.Length - of - 4 >= 5 && IsDigits(middle[..of]) && IsDigits(middle[(of + 4)..]);
    }

    private static bool IsDigits(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');

    private static SafeTensorsIndexException Escape(string indexPath, string detail) =>
        new(SafeTensorsRule.ShardPathEscapesFolder, indexPath, detail);
}
