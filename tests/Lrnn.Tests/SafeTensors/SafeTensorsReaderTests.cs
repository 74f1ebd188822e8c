using System.Text;
using Lrnn.SafeTensors;
using Xunit;

namespace Lrnn.Tests.SafeTensors;

/// <summary>
/// The reader against malformed files: the tests of safetensors' tensor.rs (test_json_attack,
/// test_metadata_incomplete_buffer, test_header_too_large, ...) ported, plus the cases the reference leaves
/// to its JSON parser (duplicates, negatives, missing fields) and the accepted edge cases.
/// </summary>
public sealed class SafeTensorsReaderTests : IDisposable
{
    private const string I32Test = """{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}""";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static byte[] File(string header, int dataBytes = 0) => TempFolder.SafeTensorsBytes(header, new byte[dataBytes]);

    private static byte[] Raw(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Ascii(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Each malformed file and the rule it breaks.</summary>
    private static readonly Dictionary<string, (byte[] File, SafeTensorsRule Rule, string MessagePart)> s_malformed = new()
    {
        // test_json_attack: ten tensors all claiming bytes [0, 16).
        ["json attack"] = (File("{" + string.Join(",", Enumerable.Range(0, 10).Select(i =>
            $$"""
            "weight_{{i}}":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}
            """)) + "}", 160), SafeTensorsRule.InvalidOffset, "must begin at 16"),
        // test_metadata_incomplete_buffer: 4 extra bytes, then one byte short.
        ["extra data"] = (File(I32Test, 20), SafeTensorsRule.MetadataIncompleteBuffer, "should have 84 bytes, but it has 88"),
        ["missing data"] = (File(I32Test, 15), SafeTensorsRule.MetadataIncompleteBuffer, "should have 84 bytes, but it has 83"),
        ["trailing byte"] = (File("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", 2), SafeTensorsRule.MetadataIncompleteBuffer, "it has"),
        // test_header_too_large: "<\0\0\0\0\xff\xff\xff" announces 0xFFFFFF000000003C bytes.
        ["header too large"] = (Raw([0x3C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF], Ascii(I32Test)), SafeTensorsRule.HeaderTooLarge, "18446742974197923900"),
        ["header just over the limit"] = (Raw(BitConverter.GetBytes(100_000_001UL), Ascii("{}")), SafeTensorsRule.HeaderTooLarge, "100000001"),
        // test_header_too_small
        ["empty file"] = ([], SafeTensorsRule.HeaderTooSmall, "has 0 bytes"),
        ["seven bytes"] = ([2, 0, 0, 0, 0, 0, 0], SafeTensorsRule.HeaderTooSmall, "has 7 bytes"),
        // test_invalid_header_length: 60 header bytes announced, none present.
        ["invalid header length"] = (Raw([0x3C, 0, 0, 0, 0, 0, 0, 0]), SafeTensorsRule.InvalidHeaderLength, "claims 60 bytes"),
        // test_invalid_header_non_utf8
        ["non utf8"] = (Raw([1, 0, 0, 0, 0, 0, 0, 0, 0xFF]), SafeTensorsRule.InvalidHeader, "UTF-8"),
        ["overlong utf8"] = (Raw([2, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xBB]), SafeTensorsRule.InvalidHeader, "UTF-8"),
        // test_invalid_header_not_json
        ["not json"] = (Raw([1, 0, 0, 0, 0, 0, 0, 0], Ascii("{")), SafeTensorsRule.InvalidHeaderDeserialization, "not valid JSON"),
        ["top-level array"] = (File("[]"), SafeTensorsRule.InvalidHeaderDeserialization, "expected an object"),
        ["content after the object"] = (File("{} {}"), SafeTensorsRule.InvalidHeaderDeserialization, "not valid JSON"),
        ["comment"] = (File("{/* x */}"), SafeTensorsRule.InvalidHeaderDeserialization, "not valid JSON"),
        ["trailing comma"] = (File("""{"__metadata__":{"a":"b",}}"""), SafeTensorsRule.InvalidHeaderDeserialization, "not valid JSON"),
        ["blank header"] = (File("        "), SafeTensorsRule.InvalidHeaderDeserialization, "not valid JSON"),
        // test_invalid_info: a [2, 2] I32 tensor needs 16 bytes, not 4.
        ["invalid info"] = (File("""{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,4]}}""", 4), SafeTensorsRule.TensorInvalidInfo, "needs 16 bytes"),
        // test_validation_overflow: the element count, then the byte count, overflow u64.
        ["element count overflow"] = (File("""{"test":{"dtype":"I32","shape":[2,18446744073709551614],"data_offsets":[0,16]}}""", 16), SafeTensorsRule.ValidationOverflow, "overflows"),
        ["byte count overflow"] = (File("""{"test":{"dtype":"I32","shape":[2,9223372036854775807],"data_offsets":[0,16]}}""", 16), SafeTensorsRule.ValidationOverflow, "overflows"),
        ["dimension beyond a signed size"] = (File("""{"test":{"dtype":"I32","shape":[0,9223372036854775808],"data_offsets":[0,0]}}"""), SafeTensorsRule.ValidationOverflow, "overflows"),
        // Offsets must tile the buffer.
        ["gap"] = (File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12), SafeTensorsRule.InvalidOffset, "'b' has data_offsets [8, 12) but must begin at 4"),
        ["overlap"] = (File("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12), SafeTensorsRule.InvalidOffset, "'b' has data_offsets [4, 12) but must begin at 8"),
        ["not from zero"] = (File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), SafeTensorsRule.InvalidOffset, "must begin at 0"),
        ["end before begin"] = (File("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}""", 4), SafeTensorsRule.InvalidOffset, "'b' has data_offsets [4, 0)"),
        // Duplicates, which a dictionary-building parser would resolve silently.
        ["duplicate tensor"] = (File("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}""", 2), SafeTensorsRule.InvalidHeaderDeserialization, "duplicate key 'a'"),
        ["duplicate metadata key"] = (File("""{"__metadata__":{"k":"1","k":"2"}}"""), SafeTensorsRule.InvalidHeaderDeserialization, "duplicate metadata key 'k'"),
        ["duplicate metadata"] = (File("""{"__metadata__":{},"__metadata__":{}}"""), SafeTensorsRule.InvalidHeaderDeserialization, "duplicate key '__metadata__'"),
        ["duplicate field"] = (File("""{"a":{"dtype":"U8","dtype":"I8","shape":[1],"data_offsets":[0,1]}}""", 1), SafeTensorsRule.InvalidHeaderDeserialization, "duplicate field 'dtype'"),
        ["escaped duplicate"] = (File("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"\u0061":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}""", 2), SafeTensorsRule.InvalidHeaderDeserialization, "duplicate key 'a'"),
        // Schema.
        ["unknown dtype"] = (File("""{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}""", 16), SafeTensorsRule.InvalidHeaderDeserialization, "unsupported dtype 'F128'"),
        ["unsupported dtype of the format"] = (File("""{"a":{"dtype":"U16","shape":[1],"data_offsets":[0,2]}}""", 2), SafeTensorsRule.InvalidHeaderDeserialization, "unsupported dtype 'U16'"),
        ["dtype alias"] = (File("""{"a":{"dtype":"float32","shape":[1],"data_offsets":[0,4]}}""", 4), SafeTensorsRule.InvalidHeaderDeserialization, "unsupported dtype 'float32'"),
        ["lower-case dtype"] = (File("""{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}""", 4), SafeTensorsRule.InvalidHeaderDeserialization, "unsupported dtype 'f32'"),
        ["non-string metadata"] = (File("""{"__metadata__":{"epoch":1}}"""), SafeTensorsRule.InvalidHeaderDeserialization, "metadata value of 'epoch' is a number"),
        ["nested metadata"] = (File("""{"__metadata__":{"cfg":{"d":1}}}"""), SafeTensorsRule.InvalidHeaderDeserialization, "metadata value of 'cfg' is an object"),
        ["negative offset"] = (File("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}}""", 1), SafeTensorsRule.InvalidHeaderDeserialization, "non-negative integer"),
        ["negative dimension"] = (File("""{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}"""), SafeTensorsRule.InvalidHeaderDeserialization, "non-negative integer"),
        ["fractional dimension"] = (File("""{"a":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}}""", 1), SafeTensorsRule.InvalidHeaderDeserialization, "non-negative integer"),
        ["offset beyond u64"] = (File("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,18446744073709551616]}}""", 1), SafeTensorsRule.InvalidHeaderDeserialization, "non-negative integer"),
        ["three offsets"] = (File("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}""", 1), SafeTensorsRule.InvalidHeaderDeserialization, "have 3 numbers"),
        ["missing dtype"] = (File("""{"a":{"shape":[1],"data_offsets":[0,1]}}""", 1), SafeTensorsRule.InvalidHeaderDeserialization, "has no 'dtype'"),
        ["missing shape"] = (File("""{"a":{"dtype":"U8","data_offsets":[0,1]}}""", 1), SafeTensorsRule.InvalidHeaderDeserialization, "has no 'shape'"),
        ["missing offsets"] = (File("""{"a":{"dtype":"U8","shape":[1]}}""", 1), SafeTensorsRule.InvalidHeaderDeserialization, "has no 'data_offsets'"),
        ["entry not an object"] = (File("""{"a":[1]}"""), SafeTensorsRule.InvalidHeaderDeserialization, "tensor 'a' is an array"),
        ["string shape"] = (File("""{"a":{"dtype":"U8","shape":"1","data_offsets":[0,1]}}""", 1), SafeTensorsRule.InvalidHeaderDeserialization, "expected an array"),
    };

    public static TheoryData<string> MalformedCases => new(s_malformed.Keys);

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void RejectsAMalformedFileNamingTheRuleAndTheFile(string name)
    {
        var (bytes, rule, messagePart) = s_malformed[name];
        var path = _folder.WriteBytes("bad.safetensors", bytes);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.Equal(rule, e.Rule);
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        Assert.Contains(rule.ToString(), e.Message);
        Assert.Contains(messagePart, e.Message);
    }

    [Fact]
    public void ReadsAZeroSizedTensor()
    {
        // test_zero_sized_tensor
        var path = _folder.WriteSafeTensors("zero.safetensors", """{"test":{"dtype":"I32","shape":[2,0],"data_offsets":[0, 0]}}""");
        using var file = SafeTensorsFile.Open(path);
        var t = Assert.Single(file.Tensors);
        Assert.Equal("test", t.Name);
        Assert.Equal(SafeTensorsDtype.I32, t.Dtype);
        Assert.Equal(new long[] { 2, 0 }, t.Shape);
        Assert.Equal(0, t.ElementCount);
        Assert.True(t.Data.IsEmpty);
        Assert.Empty(t.ToArray<int>());
    }

    [Theory]
    [InlineData("\t\n{}\r ")]   // test_whitespace_leading_padded_header
    [InlineData("{}\r \t\n")]   // test_whitespace_padded_header
    public void AcceptsWhitespaceAroundTheHeader(string header)
    {
        var path = _folder.WriteSafeTensors("blank.safetensors", header);
        using var file = SafeTensorsFile.Open(path);
        Assert.Empty(file.Tensors);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void ReadsTensorsMetadataAndScalarsInBufferOrder()
    {
        // Entries listed out of buffer order; a rank-0 tensor; null metadata is "no metadata" for the
        // reference, but a map is read as strings; unknown entry fields are ignored as serde ignores them.
        var data = new byte[16];
        BitConverter.GetBytes(-7L).CopyTo(data, 0);
        BitConverter.GetBytes(1.5f).CopyTo(data, 8);
        BitConverter.GetBytes(-2.25f).CopyTo(data, 12);
        var path = _folder.WriteSafeTensors("ok.safetensors",
            """{"v":{"dtype":"F32","shape":[2],"data_offsets":[8,16],"note":{"x":[1]}},"__metadata__":{"format":"pt","é":"ü"},"s":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}""", data);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(new[] { "s", "v" }, file.Names);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("ü", file.Metadata["é"]);
        var s = file["s"];
        Assert.Empty(s.Shape);
        Assert.Equal(1, s.ElementCount);
        Assert.Equal(new[] { -7L }, s.ToArray<long>());
        Assert.Equal(new[] { 1.5f, -2.25f }, file["v"].ToArray<float>());
        Assert.Equal(data.AsSpan(8).ToArray(), file["v"].Data.ToArray());
        Assert.Equal(new FileInfo(path).Length - 8, file["v"].FileOffset);
        Assert.False(file.Contains("missing"));
        Assert.Throws<KeyNotFoundException>(() => file["missing"]);
        Assert.Throws<ArgumentException>(() => file["v"].ToArray<double>());
    }

    [Fact]
    public void AcceptsNullMetadata()
    {
        var path = _folder.WriteSafeTensors("null.safetensors", """{"__metadata__":null}""");
        using var file = SafeTensorsFile.Open(path);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void ViewsStopWorkingWhenTheFileIsDisposed()
    {
        var path = _folder.WriteSafeTensors("one.safetensors", """{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", [42]);
        var file = SafeTensorsFile.Open(path);
        var view = file["a"];
        Assert.Equal(42, view.Data[0]);
        file.Dispose();
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => view.Data.Length);
    }
}
