using Lrnn.Checkpoints;
using Lrnn.SafeTensors;
using Xunit;

namespace Lrnn.Tests.SafeTensors;

/// <summary>
/// Files that a fuzzing run found mishandled (issue 21): each once threw an untyped .NET exception
/// (InvalidOperationException, OverflowException) instead of <see cref="SafeTensorsFormatException"/>.
/// </summary>
public sealed class SafeTensorsRegressionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // A lone UTF-16 surrogate escape is not a Unicode scalar value, so the string has no UTF-8 form: serde (the
    // reference's JSON parser) rejects it. Every place a string is read: tensor name, field name, dtype,
    // metadata key and value.
    [Theory]
    [InlineData("""{"a\ud800":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""")]
    [InlineData("""{"a\udc00x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x\ud800":1}}""")]
    [InlineData("""{"a":{"dtype":"F32\ud800","shape":[1],"data_offsets":[0,4]}}""")]
    [InlineData("""{"a":{"dtype\ud800":"F32","shape":[1],"data_offsets":[0,4]}}""")] // found by ReaderFuzzTests
    [InlineData("""{"a":{"\u0064type":"F32","sh\udbffape":[1],"data_offsets":[0,4]}}""")]
    [InlineData("""{"__metadata__":{"k\ud800":"v"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""")]
    [InlineData("""{"__metadata__":{"k":"v\udfff"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""")]
    [InlineData("""{"__metadata__":{"k":"\ude00\ud83d"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""")]
    public void LoneSurrogateEscapeIsAnInvalidHeader(string header)
    {
        var path = _folder.WriteSafeTensors("lone.safetensors", header, new byte[4]);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Open(path));
        Assert.Equal(SafeTensorsRule.InvalidHeaderDeserialization, e.Rule);
        Assert.Contains("surrogate", e.Message);
        Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsCheckpoint.Load(path).Dispose());
    }

    [Fact]
    public void PairedSurrogateEscapeStillLoads()
    {
        var path = _folder.WriteSafeTensors("paired.safetensors",
            """{"__metadata__":{"\ud83d\ude00":"\ud83d\ude00"},"a\ud83d\ude00":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[4]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal("a\U0001F600", Assert.Single(file.Tensors).Name);
        Assert.Equal("\U0001F600", file.Metadata["\U0001F600"]);
    }

    [Fact]
    public void LoneSurrogateInAnIndexIsAnInvalidIndex()
    {
        var index = _folder.File(SafeTensorsIndex.DefaultFileName);
        File.WriteAllText(index, """{"metadata":{"total_size":4},"weight_map":{"a\ud800":"model-00001-of-00001.safetensors"}}""");
        var e = Assert.Throws<SafeTensorsIndexException>(() => SafeTensorsIndex.Load(index));
        Assert.Equal(SafeTensorsRule.InvalidIndex, e.Rule);
        Assert.Contains("surrogate", e.Message);
    }

    // A zero makes the element count 0, so the reference (which counts in u64 over every dimension) accepts
    // these; but libtorch's sizes and strides are int64, and a contiguous stride is the product of the later
    // non-zero dimensions. Rule: every dimension, and the product of the non-zero ones, must fit in int64.
    [Theory]
    [InlineData("[4611686018427387904,2,0]")]
    [InlineData("[3037000500,3037000500,0]")]
    [InlineData("[0,9223372036854775808]")]
    [InlineData("[0,4294967296,4294967296]")]
    public void ZeroElementShapeBeyondInt64IsAnOverflow(string shape)
    {
        var path = _folder.WriteSafeTensors("zero.safetensors", $$$"""{"t":{"dtype":"F32","shape":{{{shape}}},"data_offsets":[0,0]}}""");
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Open(path));
        Assert.Equal(SafeTensorsRule.ValidationOverflow, e.Rule);
        Assert.Contains("int64", e.Message);
        Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsCheckpoint.Load(path).Dispose());
    }

    [Theory]
    [InlineData("[4611686018427387903,2,0]", new[] { 4611686018427387903L, 2, 0 })]
    [InlineData("[0,9223372036854775807]", new[] { 0L, 9223372036854775807 })]
    public void ZeroElementShapeWithinInt64Loads(string shape, long[] expected)
    {
        var path = _folder.WriteSafeTensors("zero.safetensors", $$$"""{"t":{"dtype":"F32","shape":{{{shape}}},"data_offsets":[0,0]}}""");
        using var checkpoint = SafeTensorsCheckpoint.Load(path);
        var t = checkpoint.Tensors["t"];
        Assert.Equal(expected, t.shape);
        Assert.Equal(0, t.numel());
    }
}
