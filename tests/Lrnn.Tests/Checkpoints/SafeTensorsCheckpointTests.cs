using Lrnn.Checkpoints;
using Lrnn.SafeTensors;
using Lrnn.Tests.SafeTensors;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Checkpoints;

public sealed class SafeTensorsCheckpointTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A (2, 3) tensor of every dtype safetensors can hold, with values that exercise sign, range and rounding.</summary>
    private static Dictionary<string, Tensor> EveryDtype()
    {
        long[] shape = [2, 3];
        return new Dictionary<string, Tensor>
        {
            ["bool"] = torch.tensor(new[] { true, false, true, true, false, false }, shape),
            ["u8"] = torch.tensor(new byte[] { 0, 1, 127, 128, 254, 255 }, shape),
            ["i8"] = torch.tensor(new sbyte[] { -128, -1, 0, 1, 2, 127 }, shape),
            ["i16"] = torch.tensor(new short[] { short.MinValue, -2, 0, 3, 1000, short.MaxValue }, shape),
            ["i32"] = torch.tensor(new[] { int.MinValue, -2, 0, 3, 1 << 30, int.MaxValue }, shape),
            ["i64"] = torch.tensor(new[] { long.MinValue, -2L, 0, 3, 1L << 50, long.MaxValue }, shape),
            ["f16"] = torch.tensor(new[] { (Half)0.1f, (Half)(-2.5f), Half.MaxValue, Half.Epsilon, (Half)0f, (Half)1000f }, shape),
            ["bf16"] = torch.tensor(new[] { 0.1f, -2.5f, 3e38f, 1e-38f, 0f, 1000f }.Select(f => (BFloat16)f).ToArray(), shape),
            ["f32"] = torch.tensor(new[] { 0.1f, -2.5f, float.MaxValue, float.Epsilon, float.NegativeInfinity, 1000f }, shape),
            ["f64"] = torch.tensor(new[] { 0.1, -2.5, double.MaxValue, double.Epsilon, Math.PI, 1e-100 }, shape),
            ["c64"] = torch.tensor(Enumerable.Range(0, 6).Select(i => new ComplexFloat(i * 0.5f, -i)).ToArray(), shape),
        };
    }

    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void RoundTripsEveryDtype(string dev)
    {
        Device device = dev;
        var original = EveryDtype();
        try
        {
            var path = _folder.File("all.safetensors");
            SafeTensorsCheckpoint.Save(path, original);

            using (var file = SafeTensorsFile.Open(path))
            {
                Assert.Equal("pt", file.Metadata["format"]);
                Assert.Equal(SafeTensorsDtype.BF16, file["bf16"].Dtype);
                Assert.Equal(SafeTensorsDtype.C64, file["c64"].Dtype);
                Assert.Equal(new[] { 0.1f, -2.5f, float.MaxValue, float.Epsilon, float.NegativeInfinity, 1000f }, file["f32"].ToArray<float>());
            }

            using var loaded = SafeTensorsCheckpoint.Load(path, device);
            Assert.Equal(original.Keys.Order(StringComparer.Ordinal), loaded.Tensors.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, expected) in original)
            {
                var actual = loaded.Tensors[name];
                Assert.Equal(expected.dtype, actual.dtype);
                Assert.Equal(expected.shape, actual.shape);
                Assert.Equal(device.Type, actual.device.Type);
                Assert.Equal(expected.ToBytes(), actual.ToBytes());
            }
            Assert.Equal(new[] { long.MinValue, -2L, 0, 3, 1L << 50, long.MaxValue }, loaded.Tensors["i64"].ToArray<long>());
        }
        finally
        {
            DisposeAll(original);
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ConvertsOnlyFloatingPointTensorsToTheRequestedDtype(string dev)
    {
        var original = EveryDtype();
        try
        {
            var path = _folder.File("all.safetensors");
            SafeTensorsCheckpoint.Save(path, original);
            using var loaded = SafeTensorsCheckpoint.Load(path, (Device)dev, ScalarType.Float64);
            Assert.Equal(ScalarType.Float64, loaded.Tensors["f16"].dtype);
            Assert.Equal(ScalarType.Float64, loaded.Tensors["bf16"].dtype);
            Assert.Equal(ScalarType.Int32, loaded.Tensors["i32"].dtype);
            Assert.Equal(ScalarType.Bool, loaded.Tensors["bool"].dtype);
            Assert.Equal(ScalarType.ComplexFloat32, loaded.Tensors["c64"].dtype);
            // float32 → float64 is exact; float16 0.1 is 0.0999755859375.
            Assert.Equal(new[] { 0.1f, -2.5f, float.MaxValue, float.Epsilon, float.NegativeInfinity, 1000f }.Select(f => (double)f),
                loaded.Tensors["f32"].ToArray<double>());
            Assert.Equal(0.0999755859375, loaded.Tensors["f16"].ToArray<double>()[0]);
        }
        finally
        {
            DisposeAll(original);
        }
        Assert.Throws<ArgumentException>(() => SafeTensorsCheckpoint.Load(_folder.File("all.safetensors"), dtype: ScalarType.Int64));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void StoresTiedTensorsOnceAndRestoresThemAsAliases(string dev)
    {
        Device device = dev;
        using var embedding = torch.tensor(Enumerable.Range(0, 12).Select(i => i * 0.25f).ToArray(), [4, 3], device);
        using var head = embedding.alias();
        using var norm = torch.ones([3], device: device);
        var path = _folder.File("tied.safetensors");
        SafeTensorsCheckpoint.Save(path, new Dictionary<string, Tensor>
        {
            ["lm_head.weight"] = head,
            ["backbone.embeddings.weight"] = embedding,
            ["backbone.norm_f.weight"] = norm,
        }, new Dictionary<string, string> { ["step"] = "7" });

        using (var file = SafeTensorsFile.Open(path))
        {
            Assert.Equal(new[] { "backbone.embeddings.weight", "backbone.norm_f.weight" }, file.Names);
            Assert.Equal("backbone.embeddings.weight", file.Metadata["lm_head.weight"]);
            Assert.Equal("pt", file.Metadata["format"]);
            Assert.Equal("7", file.Metadata["step"]);
        }

        using var loaded = SafeTensorsCheckpoint.Load(path, device);
        Assert.Equal(new[] { "backbone.embeddings.weight", "backbone.norm_f.weight", "lm_head.weight" }, loaded.Tensors.Keys);
        var loadedHead = loaded.Tensors["lm_head.weight"];
        var loadedEmbedding = loaded.Tensors["backbone.embeddings.weight"];
        Assert.True(loadedHead.is_alias_of(loadedEmbedding));
        Assert.False(loadedHead.is_alias_of(loaded.Tensors["backbone.norm_f.weight"]));
        Assert.Equal(embedding.ToArray<float>(), loadedHead.ToArray<float>());
        Assert.Equal("7", loaded.Metadata["step"]);
    }

    [Fact]
    public void RefusesDifferentViewsOfOneStorage()
    {
        using var fused = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        using var reshaped = fused.view(3, 2);
        using var transposed = fused.transpose(0, 1);
        var path = _folder.File("views.safetensors");
        Assert.Throws<ArgumentException>(() => SafeTensorsCheckpoint.Save(path, new Dictionary<string, Tensor> { ["a"] = fused, ["b"] = reshaped }));
        var e = Assert.Throws<ArgumentException>(() => SafeTensorsCheckpoint.Save(path, new Dictionary<string, Tensor> { ["a"] = fused, ["c"] = transposed }));
        Assert.Contains("share storage", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void RefusesEqualValuedHalvesOfOneStorage()
    {
        // Same dtype, shape, strides and bytes, different elements: only the storage offset tells them apart.
        using var fused = torch.tensor(new float[] { 1, 2, 1, 2 });
        using var first = fused.narrow(0, 0, 2);
        using var second = fused.narrow(0, 2, 2);
        var path = _folder.File("halves.safetensors");
        var e = Assert.Throws<ArgumentException>(() => SafeTensorsCheckpoint.Save(path, new Dictionary<string, Tensor> { ["q"] = first, ["k"] = second }));
        Assert.Contains("different views", e.Message);
    }

    [Fact]
    public void SavesNonContiguousTensorsRowMajor()
    {
        using var t = torch.tensor(new long[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        using var transposed = t.transpose(0, 1);
        var path = _folder.File("t.safetensors");
        SafeTensorsCheckpoint.Save(path, new Dictionary<string, Tensor> { ["t"] = transposed });
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(new long[] { 3, 2 }, file["t"].Shape);
        Assert.Equal(new long[] { 1, 4, 2, 5, 3, 6 }, file["t"].ToArray<long>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ShardedSaveAndLoadRoundTrip(string dev)
    {
        Device device = dev;
        var tensors = new Dictionary<string, Tensor>();
        for (var layer = 0; layer < 4; layer++)
            tensors[$"layers.{layer}.w"] = torch.tensor(Enumerable.Range(0, 64).Select(i => layer * 100.0 + i).ToArray(), [8, 8], device);
        tensors["embed"] = torch.tensor(Enumerable.Range(0, 96).Select(i => (float)-i).ToArray(), [32, 3], device);
        tensors["head"] = tensors["embed"].alias();
        try
        {
            // 512-byte layers and a 384-byte embedding under a 1024-byte limit: three shards.
            SafeTensorsCheckpoint.Save(_folder.Path, tensors, maxShardBytes: 1024);
            var shards = Directory.GetFiles(_folder.Path, "model-*-of-00003.safetensors");
            Assert.Equal(3, shards.Length);
            using (var index = SafeTensorsShardedFile.Open(_folder.File(SafeTensorsIndex.DefaultFileName)))
            {
                Assert.Equal(4 * 512 + 384, index.Index.TotalSize);
                Assert.False(index.Contains("head"));
            }

            using var loaded = SafeTensorsCheckpoint.Load(_folder.Path, device);
            Assert.Equal(new[] { "embed", "layers.0.w", "layers.1.w", "layers.2.w", "layers.3.w", "head" }, loaded.Tensors.Keys);
            foreach (var (name, expected) in tensors)
            {
                Assert.Equal(expected.ToBytes(), loaded.Tensors[name].ToBytes());
                Assert.Equal(device.Type, loaded.Tensors[name].device.Type);
            }
            Assert.True(loaded.Tensors["head"].is_alias_of(loaded.Tensors["embed"]));
            Assert.Equal(301.0, loaded.Tensors["layers.3.w"].ToArray<double>()[1]);
        }
        finally
        {
            DisposeAll(tensors);
        }
    }

    [Fact]
    public void LoadsAFolderWithASingleFile()
    {
        using var t = torch.tensor(new[] { 1.0f, 2.0f });
        SafeTensorsCheckpoint.Save(_folder.File(SafeTensorsCheckpoint.SingleFileName), new Dictionary<string, Tensor> { ["w"] = t });
        using var loaded = SafeTensorsCheckpoint.Load(_folder.Path);
        Assert.Equal(new[] { 1.0f, 2.0f }, loaded.Tensors["w"].ToArray<float>());
    }

    [Fact]
    public void LoadedTensorsBelongToTheCheckpointNotToADisposeScope()
    {
        using var t = torch.tensor(new[] { 3.0 });
        var path = _folder.File("s.safetensors");
        SafeTensorsCheckpoint.Save(path, new Dictionary<string, Tensor> { ["w"] = t });
        LoadedCheckpoint loaded;
        using (torch.NewDisposeScope()) loaded = SafeTensorsCheckpoint.Load(path);
        Assert.False(loaded.Tensors["w"].IsDisposed);
        loaded.Dispose();
        Assert.True(loaded.Tensors["w"].IsDisposed);
    }

    [Fact]
    public void RefusesComplex128()
    {
        using var t = torch.tensor(new[] { new System.Numerics.Complex(1, 2) });
        var e = Assert.Throws<NotSupportedException>(() =>
            SafeTensorsCheckpoint.Save(_folder.File("c.safetensors"), new Dictionary<string, Tensor> { ["z"] = t }));
        Assert.Contains("'z'", e.Message);
    }
}
