using System.Text;
using Lrnn.SafeTensors;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.SafeTensors;

public sealed class SafeTensorsWriterTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void WritesTheReferenceLayoutByteForByte()
    {
        var path = _folder.File("small.safetensors");
        SafeTensorsWriter.Save(path,
        [
            SafeTensorsEntry.FromArray("b", SafeTensorsDtype.F32, [2], new[] { 1.0f, -2.0f }),
            SafeTensorsEntry.FromArray("mask", SafeTensorsDtype.BOOL, [3], new[] { true, false, true }),
            SafeTensorsEntry.FromArray("a", SafeTensorsDtype.F32, [], new[] { 0.5f }),
            SafeTensorsEntry.FromArray("z", SafeTensorsDtype.F16, [0], Array.Empty<Half>()),
            SafeTensorsEntry.FromArray("n", SafeTensorsDtype.I64, [1], new[] { 258L }),
        ], new Dictionary<string, string> { ["format"] = "pt" });

        // Sorted by dtype alignment, descending (I64 > F32 > F16 > BOOL), then by name; the 307-byte header
        // is padded with 5 spaces to 312, a multiple of 8.
        const string header =
            """{"__metadata__":{"format":"pt"},"n":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}""" +
            ""","a":{"dtype":"F32","shape":[],"data_offsets":[8,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}""" +
            ""","z":{"dtype":"F16","shape":[0],"data_offsets":[20,20]},"mask":{"dtype":"BOOL","shape":[3],"data_offsets":[20,23]}}""" +
            "     ";
        byte[] expected =
        [
            0x38, 0x01, 0, 0, 0, 0, 0, 0,                       // 312, little-endian
            .. Encoding.ASCII.GetBytes(header),
            0x02, 0x01, 0, 0, 0, 0, 0, 0,                       // 258L
            0x00, 0x00, 0x00, 0x3F,                             // 0.5f
            0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0,     // 1.0f, -2.0f
            0x01, 0x00, 0x01,                                   // true, false, true
        ];
        Assert.Equal(312, header.Length);
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void OrdersNamesByCodePointAndEscapesThemAsSerdeDoes()
    {
        // UTF-16 ordinal order would put U+1F600 (a surrogate pair, 0xD83D...) before U+FFFD.
        var path = _folder.File("names.safetensors");
        string[] names = ["\U0001F600", "\uFFFD", "q\"b\\n\n\u0001", "é"];
        SafeTensorsWriter.Save(path, names.Select(n => SafeTensorsEntry.FromArray(n, SafeTensorsDtype.U8, [1], new byte[] { 7 })));
        var text = Encoding.UTF8.GetString(File.ReadAllBytes(path));
        Assert.Contains("\"q\\\"b\\\\n\\n\\u0001\":", text);
        Assert.Contains("\"é\":", text);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(new[] { "q\"b\\n\n\u0001", "é", "\uFFFD", "\U0001F600" }, file.Names);
    }

    public static TheoryData<SafeTensorsDtype> Dtypes => new(SafeTensorsDtypes.All);

    [Theory]
    [MemberData(nameof(Dtypes))]
    public void RoundTripsEveryDtype(SafeTensorsDtype dtype)
    {
        var path = _folder.File("all.safetensors");
        long[] shape = [2, 3];
        var entry = dtype switch
        {
            SafeTensorsDtype.BOOL => SafeTensorsEntry.FromArray("t", dtype, shape, new[] { true, false, false, true, true, false }),
            SafeTensorsDtype.U8 => SafeTensorsEntry.FromArray("t", dtype, shape, new byte[] { 0, 1, 127, 128, 200, 255 }),
            SafeTensorsDtype.I8 => SafeTensorsEntry.FromArray("t", dtype, shape, new sbyte[] { -128, -1, 0, 1, 100, 127 }),
            SafeTensorsDtype.I16 => SafeTensorsEntry.FromArray("t", dtype, shape, new short[] { short.MinValue, -300, 0, 1, 300, short.MaxValue }),
            SafeTensorsDtype.F16 => SafeTensorsEntry.FromArray("t", dtype, shape, new[] { (Half)0.5f, (Half)(-1.25f), Half.MaxValue, Half.Epsilon, (Half)0f, Half.NegativeInfinity }),
            SafeTensorsDtype.BF16 => SafeTensorsEntry.FromArray("t", dtype, shape, new[] { 1f, -3.25f, 1e30f, 0f, 0.1f, -7f }.Select(f => (BFloat16)f).ToArray()),
            SafeTensorsDtype.I32 => SafeTensorsEntry.FromArray("t", dtype, shape, new[] { int.MinValue, -5, 0, 5, 1 << 20, int.MaxValue }),
            SafeTensorsDtype.F32 => SafeTensorsEntry.FromArray("t", dtype, shape, new[] { 1.5f, -0f, float.NaN, float.MaxValue, 1e-40f, -2f }),
            SafeTensorsDtype.C64 => SafeTensorsEntry.FromArray("t", dtype, shape, Enumerable.Range(0, 6).Select(i => new ComplexFloat(i, -i * 0.5f)).ToArray()),
            SafeTensorsDtype.F64 => SafeTensorsEntry.FromArray("t", dtype, shape, new[] { Math.PI, -Math.E, double.Epsilon, 1e300, 0, -1 }),
            SafeTensorsDtype.I64 => SafeTensorsEntry.FromArray("t", dtype, shape, new[] { long.MinValue, -1L, 0, 1, 1L << 40, long.MaxValue }),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
        var written = new byte[entry.ByteSize];
        entry.WriteData(written);
        Assert.Equal(6 * dtype.ElementSize(), written.Length);

        SafeTensorsWriter.Save(path, [entry]);

        using var file = SafeTensorsFile.Open(path);
        var t = file["t"];
        Assert.Equal(dtype, t.Dtype);
        Assert.Equal(shape, t.Shape);
        Assert.Equal(written, t.Data.ToArray());
        if (dtype == SafeTensorsDtype.F64) Assert.Equal(new[] { Math.PI, -Math.E, double.Epsilon, 1e300, 0, -1 }, t.ToArray<double>());
        if (dtype == SafeTensorsDtype.C64) Assert.Equal(new ComplexFloat(5, -2.5f), t.ToArray<ComplexFloat>()[5]);
    }

    [Fact]
    public void AFailedSaveLeavesThePreviousFileAndNoTemporaryFile()
    {
        var path = _folder.File("model.safetensors");
        SafeTensorsWriter.Save(path, [SafeTensorsEntry.FromArray("w", SafeTensorsDtype.F32, [2], new[] { 1f, 2f })]);
        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<InvalidOperationException>(() => SafeTensorsWriter.Save(path,
        [
            SafeTensorsEntry.FromArray("w", SafeTensorsDtype.F32, [3], new[] { 3f, 4f, 5f }),
            new SafeTensorsEntry("v", SafeTensorsDtype.F32, [1000], _ => throw new InvalidOperationException("device lost")),
        ]));
        Assert.Equal("device lost", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void ReplacingALongerFileLeavesNoStaleBytes()
    {
        var path = _folder.File("model.safetensors");
        SafeTensorsWriter.Save(path, [SafeTensorsEntry.FromArray("w", SafeTensorsDtype.F64, [100], new double[100])]);
        SafeTensorsWriter.Save(path, [SafeTensorsEntry.FromArray("w", SafeTensorsDtype.U8, [1], new byte[] { 9 })]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(new byte[] { 9 }, file["w"].ToArray<byte>());
        Assert.Equal(8 + 56 + 1, file.Length);
    }

    [Fact]
    public void RefusesBadEntries()
    {
        var path = _folder.File("bad.safetensors");
        var a = SafeTensorsEntry.FromArray("a", SafeTensorsDtype.U8, [1], new byte[] { 1 });
        Assert.Contains("two tensors are named 'a'", Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Save(path, [a, a])).Message);
        Assert.Contains("needs 8 bytes but 4 were given",
            Assert.Throws<ArgumentException>(() => SafeTensorsEntry.FromArray("x", SafeTensorsDtype.F32, [2], new[] { 1f })).Message);
        Assert.Throws<ArgumentException>(() => SafeTensorsEntry.FromArray("x", SafeTensorsDtype.F64, [1], new[] { 1f }));
        Assert.Throws<ArgumentException>(() => SafeTensorsEntry.FromBytes("x", SafeTensorsDtype.I16, [2, 2], new byte[7]));
        Assert.Throws<ArgumentException>(() => new SafeTensorsEntry("x", SafeTensorsDtype.U8, [2, -1], _ => { }));
        Assert.Throws<ArgumentException>(() => new SafeTensorsEntry("__metadata__", SafeTensorsDtype.U8, [1], _ => { }));
        Assert.Throws<OverflowException>(() => new SafeTensorsEntry("x", SafeTensorsDtype.F64, [1L << 40, 1L << 40], _ => { }));
        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Save(path, [SafeTensorsEntry.FromArray("\uD800", SafeTensorsDtype.U8, [1], new byte[] { 1 })]));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }
}
