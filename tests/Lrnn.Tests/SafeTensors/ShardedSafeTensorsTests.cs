using System.Text.Json;
using Lrnn.SafeTensors;
using Xunit;

namespace Lrnn.Tests.SafeTensors;

public sealed class ShardedSafeTensorsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static SafeTensorsEntry Floats(string name, int count, float start) =>
        SafeTensorsEntry.FromArray(name, SafeTensorsDtype.F32, [count], Enumerable.Range(0, count).Select(i => start + i).ToArray());

    [Fact]
    public void ShardsBySizeAndReadsBackThroughTheIndex()
    {
        // 400 + 400 bytes fill the first 800-byte shard; 1000 bytes get a shard of their own; 40 start a third.
        var indexPath = SafeTensorsWriter.SaveSharded(_folder.Path,
            [Floats("layers.0.w", 100, 0), Floats("layers.1.w", 100, 1000), Floats("embed", 250, -5), Floats("norm", 10, 7)],
            maxShardBytes: 800, metadata: new Dictionary<string, string> { ["format"] = "pt" });

        Assert.Equal(_folder.File("model.safetensors.index.json"), indexPath);
        Assert.Equal(
            new[] { "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors", "model.safetensors.index.json" },
            Directory.GetFiles(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        using (var json = JsonDocument.Parse(File.ReadAllBytes(indexPath)))
        {
            Assert.Equal(1840, json.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
            var map = json.RootElement.GetProperty("weight_map").EnumerateObject().Select(p => (p.Name, p.Value.GetString())).ToArray();
            Assert.Equal(new[]
            {
                ("embed", "model-00002-of-00003.safetensors"),
                ("layers.0.w", "model-00001-of-00003.safetensors"),
                ("layers.1.w", "model-00001-of-00003.safetensors"),
                ("norm", "model-00003-of-00003.safetensors"),
            }, map);
        }

        using var sharded = SafeTensorsShardedFile.Open(indexPath);
        Assert.Equal(1840, sharded.Index.TotalSize);
        Assert.Equal(3, sharded.Shards.Count);
        Assert.Equal(new[] { "embed", "layers.0.w", "layers.1.w", "norm" }, sharded.Names);
        Assert.Equal(1000f + 99, sharded["layers.1.w"].ToArray<float>()[99]);
        Assert.Equal(-5f, sharded["embed"].ToArray<float>()[0]);
        Assert.Equal(Enumerable.Range(7, 10).Select(i => (float)i), sharded["norm"].ToArray<float>());
        Assert.All(sharded.Shards, s => Assert.Equal("pt", s.Metadata["format"]));
        Assert.Throws<KeyNotFoundException>(() => sharded["absent"]);
    }

    private string WriteIndex(string weightMapJson) =>
        _folder.WriteBytes("model.safetensors.index.json",
            System.Text.Encoding.UTF8.GetBytes("""{"metadata":{"total_size":4},"weight_map":""" + weightMapJson + "}"));

    private void WriteShard(string path) =>
        SafeTensorsWriter.Save(path, [SafeTensorsEntry.FromArray("w", SafeTensorsDtype.F32, [1], new[] { 1f })]);

    [Theory]
    [InlineData("../model.safetensors")]
    [InlineData("..")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/model.safetensors")]
    [InlineData("sub\\\\model.safetensors")]
    [InlineData("")]
    public void RefusesShardNamesThatLeaveTheFolder(string shard)
    {
        Directory.CreateDirectory(_folder.File("sub"));
        WriteShard(_folder.File("sub/model.safetensors"));
        var index = WriteIndex($$"""{"w":"{{shard}}"}""");
        var e = Assert.Throws<SafeTensorsIndexException>(() => SafeTensorsShardedFile.Open(index));
        Assert.Equal(SafeTensorsRule.ShardPathEscapesFolder, e.Rule);
        Assert.Contains(index, e.Message);
    }

    [Fact]
    public void RefusesASymbolicLinkLeadingOutOfTheFolderButFollowsOneThatStaysIn()
    {
        using var outside = new TempFolder();
        WriteShard(outside.File("secret.safetensors"));
        File.CreateSymbolicLink(_folder.File("escape.safetensors"), outside.File("secret.safetensors"));
        WriteShard(_folder.File("real.safetensors"));
        File.CreateSymbolicLink(_folder.File("inside.safetensors"), "real.safetensors");

        var index = WriteIndex("""{"w":"escape.safetensors"}""");
        var e = Assert.Throws<SafeTensorsIndexException>(() => SafeTensorsShardedFile.Open(index));
        Assert.Equal(SafeTensorsRule.ShardPathEscapesFolder, e.Rule);
        Assert.Contains(outside.File("secret.safetensors"), e.Message);

        index = WriteIndex("""{"w":"inside.safetensors"}""");
        using var sharded = SafeTensorsShardedFile.Open(index);
        Assert.Equal(new[] { 1f }, sharded["w"].ToArray<float>());
    }

    [Fact]
    public void FollowsLinksAboveTheFolderConsistently()
    {
        // The folder itself reached through a link: shard and folder resolve to the same real place.
        WriteShard(_folder.File("model-1.safetensors"));
        WriteIndex("""{"w":"model-1.safetensors"}""");
        using var links = new TempFolder();
        var linked = links.File("snapshot");
        Directory.CreateSymbolicLink(linked, _folder.Path);
        using var sharded = SafeTensorsShardedFile.Open(Path.Combine(linked, "model.safetensors.index.json"));
        Assert.Equal(new[] { 1f }, sharded["w"].ToArray<float>());
    }

    [Theory]
    [InlineData("""{"w":"a.safetensors","w":"a.safetensors"}""", "appears twice")]
    [InlineData("""{"v":"a.safetensors"}""", "does not hold it")]
    [InlineData("""{"w":1}""", "is not a string")]
    [InlineData("""[]""", "'weight_map' is not an object")]
    public void RefusesAnInvalidIndex(string weightMap, string messagePart)
    {
        WriteShard(_folder.File("a.safetensors"));
        var index = WriteIndex(weightMap);
        var e = Assert.Throws<SafeTensorsIndexException>(() => SafeTensorsShardedFile.Open(index));
        Assert.Equal(SafeTensorsRule.InvalidIndex, e.Rule);
        Assert.Contains(messagePart, e.Message);
    }

    [Fact]
    public void RefusesAnIndexWithoutWeightMap()
    {
        var index = _folder.WriteBytes("model.safetensors.index.json", "{\"metadata\":{\"total_size\":1.0e3}}"u8.ToArray());
        var e = Assert.Throws<SafeTensorsIndexException>(() => SafeTensorsIndex.Load(index));
        Assert.Contains("no 'weight_map'", e.Message);
    }
}
