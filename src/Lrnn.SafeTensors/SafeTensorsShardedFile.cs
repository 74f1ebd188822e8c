namespace Lrnn.SafeTensors;

/// <summary>
/// A sharded checkpoint opened through its index: every shard is mapped and validated by
/// <see cref="SafeTensorsFile.Open"/>, and every tensor of the weight map must be in the shard it names.
/// Dispose unmaps all shards.
/// </summary>
public sealed class SafeTensorsShardedFile : IDisposable
{
    private readonly Dictionary<string, SafeTensorsFile> _shardOf;

    private SafeTensorsShardedFile(SafeTensorsIndex index, IReadOnlyList<SafeTensorsFile> shards, Dictionary<string, SafeTensorsFile> shardOf)
    {
        Index = index;
        Shards = shards;
        _shardOf = shardOf;
    }

    /// <summary>Opens the index at <paramref name="indexPath"/> and all the shards it names.</summary>
    public static SafeTensorsShardedFile Open(string indexPath)
    {
        ArgumentNullException.ThrowIfNull(indexPath);
        var fullPath = Path.GetFullPath(indexPath);
        var index = SafeTensorsIndex.Load(fullPath);
        var byFileName = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        try
        {
            // Resolve every name before opening anything, so a hostile index opens no file at all.
            var fileNames = index.ShardFileNames;
            var shardPaths = fileNames.Select(name => ShardPaths.Resolve(fullPath, name)).ToArray();
            for (var i = 0; i < fileNames.Count; i++) byFileName.Add(fileNames[i], SafeTensorsFile.Open(shardPaths[i]));
            var shardOf = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var (tensor, fileName) in index.WeightMap)
            {
                var shard = byFileName[fileName];
                if (!shard.Contains(tensor))
                    throw new SafeTensorsIndexException(SafeTensorsRule.InvalidIndex, fullPath, $"tensor '{tensor}' is mapped to '{fileName}', which does not hold it");
                shardOf.Add(tensor, shard);
            }
            return new SafeTensorsShardedFile(index, fileNames.Select(name => byFileName[name]).ToArray(), shardOf);
        }
        catch
        {
            foreach (var shard in byFileName.Values) shard.Dispose();
            throw;
        }
    }

    public SafeTensorsIndex Index { get; }

    /// <summary>The shards, in order of first appearance in the weight map.</summary>
    public IReadOnlyList<SafeTensorsFile> Shards { get; }

    /// <summary>The tensor names, in the weight map's order.</summary>
    public IEnumerable<string> Names => Index.WeightMap.Keys;

    public bool Contains(string name) => _shardOf.ContainsKey(name);

    public TensorView this[string name] =>
        _shardOf.TryGetValue(name, out var shard) ? shard[name] : throw new KeyNotFoundException($"the checkpoint's weight map has no tensor named '{name}'.");

    public void Dispose()
    {
        foreach (var shard in Shards) shard.Dispose();
    }
}
