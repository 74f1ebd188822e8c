using System.Runtime.InteropServices;
using Lrnn.PyTorchCheckpoints;
using Lrnn.Tests.SafeTensors;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Lrnn.Tests.PyTorchCheckpoints;

/// <summary>The torch-free reader against files written by torch.save (PyTorch 1.13, make_fixtures.py) and hand-made archives.</summary>
public sealed class PyTorchCheckpointFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ReadsEveryDtypeWithTorchsValues()
    {
        var expected = (JObject)PyTorchFixtures.Expected["dtypes.bin"]!;
        using var file = PyTorchCheckpointFile.Open(PyTorchFixtures.File("dtypes.bin"));
        Assert.Equal(expected.Properties().Select(p => p.Name), file.Tensors.Select(t => t.Name));
        Assert.Equal(3, file.FormatVersion);
        foreach (var tensor in file.Tensors)
        {
            var e = (JObject)expected[tensor.Name]!;
            Assert.Equal(e["shape"]!.Select(v => (long)v), tensor.Shape);
            Assert.Equal(Values(tensor.Dtype, file.ReadContiguous(tensor)), Flatten((JArray)e["values"]!));
        }
        Assert.Equal(PyTorchDtype.BFloat16, file["bf16"].Dtype);
        Assert.Equal(PyTorchDtype.Complex128, file["c128"].Dtype);
        Assert.Empty(file.ReadContiguous(file["empty"]));
    }

    [Theory]
    [InlineData("views.bin")]
    [InlineData("views-protocol4.bin")]      // FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL
    public void ViewsOfOneStorageComeBackWithTheirOwnValuesAndTiesAreReported(string fixture)
    {
        var expected = (JObject)PyTorchFixtures.Expected[fixture]!;
        using var file = PyTorchCheckpointFile.Open(PyTorchFixtures.File(fixture));
        foreach (var tensor in file.Tensors)
        {
            var e = (JObject)expected[tensor.Name]!;
            Assert.Equal(e["shape"]!.Select(v => (long)v), tensor.Shape);
            Assert.Equal(Flatten((JArray)e["values"]!), Values(tensor.Dtype, file.ReadContiguous(tensor)));
        }
        // One storage behind base, tied, transposed, slice, strided and row; only "tied" is the same view as "base".
        Assert.Equal("base", file.TiedTo("tied"));
        foreach (var name in new[] { "base", "transposed", "slice", "strided", "row", "expanded", "other" }) Assert.Null(file.TiedTo(name));
        Assert.Equal(file["base"].StorageKey, file["transposed"].StorageKey);
        Assert.False(file["transposed"].IsContiguous);
        Assert.Equal(8, file["slice"].StorageOffset);
        Assert.Equal(new long[] { 0, 1 }, file["expanded"].Stride);
    }

    [Fact]
    public void RefusesTheLegacyFormatNamingIt()
    {
        var e = Assert.Throws<PyTorchCheckpointException>(() => PyTorchCheckpointFile.Open(PyTorchFixtures.File("legacy.pt")));
        Assert.Contains("legacy torch.save format", e.Message);
    }

    [Theory]
    [InlineData("evil-os-system.bin", "posix.system")]     // os.system pickles as posix.system on Linux
    [InlineData("evil-eval.bin", "__builtin__.eval")]      // protocol 2 writes builtins under their Python 2 name
    public void RefusesCodeExecutionPayloadsNamingTheGlobal(string fixture, string global)
    {
        var e = Assert.Throws<PickleGlobalRefusedException>(() => PyTorchCheckpointFile.Open(PyTorchFixtures.File(fixture)));
        Assert.Equal(global, e.Global);
        Assert.Contains($"'{global}'", e.Message);
    }

    [Fact]
    public void RefusesAnAllowedModuleWithAnotherName()
    {
        // torch._utils is allowed only for the rebuild functions: torch._utils._import_dotted_name is not one.
        var pickle = Pickle("\u0080\u0002ctorch._utils\n_import_dotted_name\nX\u0002\u0000\u0000\u0000osR.");
        var e = Assert.Throws<PickleGlobalRefusedException>(() => Open(pickle));
        Assert.Equal("torch._utils._import_dotted_name", e.Global);
    }

    [Fact]
    public void RefusesAStorageClassUsedAsACallable()
    {
        // A storage class is accepted only inside a persistent id; REDUCE on it would construct an object.
        var e = Assert.Throws<PickleGlobalRefusedException>(() => Open(Pickle("\u0080\u0002ctorch\nFloatStorage\n)R.")));
        Assert.Equal("torch.FloatStorage", e.Global);
    }

    [Theory]
    [InlineData("\u0080\u0002}q\u0000X\u0001\u0000\u0000\u0000wK\u0001s.", "not a tensor")]                 // {'w': 1}
    [InlineData("\u0080\u0002]q\u0000.", "not a state dict")]                                                // []
    [InlineData("\u0080\u0002}q\u0000", "ends without a STOP")]                                               // truncated
    [InlineData("\u0080\u0002ios\nsystem\n.", "INST")]                                                        // INST opcode
    [InlineData("\u0080\u0002\u0081.", "NEWOBJ")]
    [InlineData("\u0080\u0002h\u0005.", "memo entry 5")]
    [InlineData("\u0080\u0002X\u00ff\u00ff\u00ff\u007f.", "runs past the end")]
    [InlineData("\u0080\u0002\u008a\u0009AAAAAAAAA.", "an integer of 9 bytes")]
    [InlineData("\u0080\u0002s.", "needs a value")]
    [InlineData("\u0080\u0002e.", "needs a MARK")]
    public void MalformedPicklesGiveTypedErrors(string pickle, string expected)
    {
        var e = Assert.Throws<PyTorchCheckpointException>(() => Open(Pickle(pickle)));
        Assert.IsNotType<PickleGlobalRefusedException>(e);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ATensorViewReachingPastItsStorageIsRefused()
    {
        // {'w': _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 4), 2, (3,), (1,), False, OrderedDict())}
        var pickle = Pickle("\u0080\u0002}X\u0001\u0000\u0000\u0000wctorch._utils\n_rebuild_tensor_v2\n((X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\n" +
                            "X\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpuK\u0004tQK\u0002K\u0003\u0085K\u0001\u0085\u0089ccollections\nOrderedDict\n)RtRs.");
        var e = Assert.Throws<PyTorchCheckpointException>(() => Open(pickle, ("data/0", new byte[16])));
        Assert.Contains("reaches element 4 of storage '0', which has 4", e.Message);
    }

    [Fact]
    public void AStorageShorterThanDeclaredIsRefusedWhenRead()
    {
        var records = PyTorchFixtures.Records(PyTorchFixtures.File("views.bin"));
        var i = records.FindIndex(r => r.Name == "data/2");
        records[i] = (records[i].Name, records[i].Data[..^4]);
        using var file = PyTorchCheckpointFile.Open(_folder.WriteBytes("short.bin", PyTorchFixtures.Archive(records)));
        var victim = file.Tensors.First(t => t.StorageKey == "2");
        var e = Assert.Throws<PyTorchCheckpointException>(() => file.ReadContiguous(victim));
        Assert.Contains("storage '2'", e.Message);
    }

    [Theory]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { (byte)'P', (byte)'K', 3, 4, 0, 0 }, "not a readable zip archive")]
    [InlineData(new byte[] { 1, 2, 3, 4, 5 }, "not a PyTorch checkpoint")]
    public void NonArchivesAreRefused(byte[] bytes, string expected)
    {
        var e = Assert.Throws<PyTorchCheckpointException>(() => PyTorchCheckpointFile.Open(_folder.WriteBytes("x.bin", bytes)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ArchivesWithoutAStateDictLayoutAreRefused()
    {
        var noPickle = PyTorchFixtures.Archive([("version", "3\n"u8.ToArray())]);
        Assert.Contains("without <folder>/data.pkl", Assert.Throws<PyTorchCheckpointException>(() => PyTorchCheckpointFile.Open(_folder.WriteBytes("a.bin", noPickle))).Message);
        var script = PyTorchFixtures.Archive([("data.pkl", Pickle("\u0080\u0002}.")), ("constants.pkl", [0x80, 2, (byte)'.']), ("code/m.py", [])]);
        Assert.Contains("TorchScript", Assert.Throws<PyTorchCheckpointException>(() => PyTorchCheckpointFile.Open(_folder.WriteBytes("b.bin", script))).Message);
        var big = PyTorchFixtures.Archive([("data.pkl", Pickle("\u0080\u0002}.")), ("byteorder", "big"u8.ToArray())]);
        Assert.Contains("byteorder 'big'", Assert.Throws<PyTorchCheckpointException>(() => PyTorchCheckpointFile.Open(_folder.WriteBytes("c.bin", big))).Message);
    }

    [Fact]
    public void ADeflatedRecordInflatingAThousandfoldIsRefused()
    {
        using var memory = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(memory, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var s = zip.CreateEntry("archive/data.pkl").Open()) s.Write(Pickle("\u0080\u0002}."));
            using (var s = zip.CreateEntry("archive/data/0", System.IO.Compression.CompressionLevel.SmallestSize).Open()) s.Write(new byte[64 << 20]);
        }
        // data.pkl names no tensor, so read the bomb through the archive directly.
        var path = _folder.WriteBytes("bomb.bin", memory.ToArray());
        using var archive = TorchArchive.Open(path, PyTorchReadOptions.Default);
        var e = Assert.Throws<PyTorchCheckpointException>(() => archive.Read("data/0", long.MaxValue));
        Assert.Contains("zip bomb", e.Message);
        Assert.Equal(4, archive.Read("data.pkl", 100).Length);       // a deflated record of honest size is read
    }

    [Fact]
    public void AnExpansionBeyondTheLimitIsRefused()
    {
        using var file = PyTorchCheckpointFile.Open(PyTorchFixtures.File("views.bin"), new PyTorchReadOptions { MaxExpandedTensorBytes = 16 });
        var e = Assert.Throws<PyTorchCheckpointException>(() => file.ReadContiguous(file["expanded"]));
        Assert.Contains("'expanded' expands 12 bytes of storage into 48", e.Message);
        Assert.Equal(24 * 4, file.ReadContiguous(file["transposed"]).Length);     // a view within its storage is not limited
    }

    private PyTorchCheckpointFile Open(byte[] pickle, params (string Name, byte[] Data)[] more) =>
        PyTorchCheckpointFile.Open(_folder.WriteBytes(Guid.NewGuid().ToString("N") + ".bin",
            PyTorchFixtures.Archive([("data.pkl", pickle), ("version", "3\n"u8.ToArray()), .. more])));

    /// <summary>A pickle written as a string of code points 0–255 (one byte each).</summary>
    internal static byte[] Pickle(string bytes) => bytes.Select(c => checked((byte)c)).ToArray();

    /// <summary>Row-major values as doubles (complex: re, im interleaved) for comparison with expected.json.</summary>
    private static List<double> Values(PyTorchDtype dtype, byte[] bytes) => dtype switch
    {
        PyTorchDtype.Float32 => MemoryMarshal.Cast<byte, float>(bytes).ToArray().Select(v => (double)v).ToList(),
        PyTorchDtype.Float64 => MemoryMarshal.Cast<byte, double>(bytes).ToArray().ToList(),
        PyTorchDtype.Float16 => MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(v => (double)v).ToList(),
        PyTorchDtype.BFloat16 => MemoryMarshal.Cast<byte, ushort>(bytes).ToArray().Select(v => (double)BitConverter.Int32BitsToSingle(v << 16)).ToList(),
        PyTorchDtype.Int64 => MemoryMarshal.Cast<byte, long>(bytes).ToArray().Select(v => (double)v).ToList(),
        PyTorchDtype.Int32 => MemoryMarshal.Cast<byte, int>(bytes).ToArray().Select(v => (double)v).ToList(),
        PyTorchDtype.Int16 => MemoryMarshal.Cast<byte, short>(bytes).ToArray().Select(v => (double)v).ToList(),
        PyTorchDtype.Int8 => MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray().Select(v => (double)v).ToList(),
        PyTorchDtype.UInt8 or PyTorchDtype.Bool => bytes.Select(v => (double)v).ToList(),
        PyTorchDtype.Complex64 => MemoryMarshal.Cast<byte, float>(bytes).ToArray().Select(v => (double)v).ToList(),
        PyTorchDtype.Complex128 => MemoryMarshal.Cast<byte, double>(bytes).ToArray().ToList(),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    private static List<double> Flatten(JArray values) =>
        values.SelectMany(v => v is JArray pair ? pair.Select(x => (double)x) : [v.Type == JTokenType.Boolean ? ((bool)v ? 1.0 : 0.0) : (double)v]).ToList();
}
