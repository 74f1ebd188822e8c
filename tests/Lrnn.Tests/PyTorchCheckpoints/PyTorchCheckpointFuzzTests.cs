using System.Diagnostics;
using Lrnn.PyTorchCheckpoints;
using Lrnn.Tests.SafeTensors;
using Xunit;

namespace Lrnn.Tests.PyTorchCheckpoints;

/// <summary>
/// Seeded mutations of real torch.save files: every outcome is a successful read or a <see cref="PyTorchCheckpointException"/>,
/// never another exception, a crash or a hang (each case is timed).
/// </summary>
public sealed class PyTorchCheckpointFuzzTests : IDisposable
{
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(2);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("views.bin", 1)]
    [InlineData("dtypes.bin", 2)]
    public void MutatedArchivesGiveTypedErrors(string fixture, int seed)
    {
        var original = File.ReadAllBytes(PyTorchFixtures.File(fixture));
        var random = new Random(seed);
        for (var i = 0; i < 150; i++)
        {
            var bytes = (byte[])original.Clone();
            switch (i % 3)
            {
                case 0:   // flip a few bytes anywhere (headers, directory, pickle, data)
                    for (var k = random.Next(1, 8); k > 0; k--) bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                    break;
                case 1:   // truncate
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                default:  // overwrite a run with random bytes
                    var at = random.Next(bytes.Length);
                    random.NextBytes(bytes.AsSpan(at, Math.Min(bytes.Length - at, random.Next(1, 64))));
                    break;
            }
            ReadAllOrTypedError(_folder.WriteBytes($"m{i}.bin", bytes), $"{fixture} case {i}");
        }
    }

    [Fact]
    public void MutatedPicklesGiveTypedErrors()
    {
        var records = PyTorchFixtures.Records(PyTorchFixtures.File("views.bin"));
        var pickleAt = records.FindIndex(r => r.Name == "data.pkl");
        var pickle = records[pickleAt].Data;
        var random = new Random(3);
        for (var i = 0; i < 300; i++)
        {
            var mutated = (byte[])pickle.Clone();
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                var at = random.Next(mutated.Length);
                // Half the time an opcode-like byte, so the machine takes unusual paths rather than failing at once.
                mutated[at] = random.Next(2) == 0 ? (byte)"()tRsQqhjKJMXc}]eau.\u0085\u0086\u0087\u008a\u0094\u0095"[random.Next(25)] : (byte)random.Next(256);
            }
            var copy = records.ToList();
            copy[pickleAt] = ("data.pkl", mutated);
            ReadAllOrTypedError(_folder.WriteBytes($"p{i}.bin", PyTorchFixtures.Archive(copy)), $"pickle case {i}");
        }
    }

    [Fact]
    public void AdversarialPicklesStayLinear()
    {
        // A million MARKs, a long chain of memo copies, and a huge declared string: all bounded by the input size.
        var marks = new byte[1_000_002];
        marks[0] = 0x80; marks[1] = 2;
        marks.AsSpan(2).Fill((byte)'(');
        var dupes = new List<byte> { 0x80, 2, (byte)']', (byte)'q', 0 };
        for (var i = 0; i < 200_000; i++) dupes.AddRange([(byte)'h', 0, (byte)'a']);   // append the list to itself
        dupes.Add((byte)'.');
        foreach (var pickle in new[] { marks, dupes.ToArray(), PyTorchCheckpointFileTests.Pickle("\u0080\u0002\u008d\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f.") })
        {
            var path = _folder.WriteBytes(Guid.NewGuid().ToString("N") + ".bin", PyTorchFixtures.Archive([("data.pkl", pickle)]));
            ReadAllOrTypedError(path, "adversarial");
            Assert.Throws<PyTorchCheckpointException>(() => PyTorchCheckpointFile.Open(path));
        }
    }

    private static void ReadAllOrTypedError(string path, string label)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var file = PyTorchCheckpointFile.Open(path);
            foreach (var tensor in file.Tensors) file.ReadContiguous(tensor);
        }
        catch (PyTorchCheckpointException)
        {
        }
        catch (Exception e)
        {
            Assert.Fail($"{label}: {e.GetType().Name} instead of a PyTorchCheckpointException: {e.Message}");
        }
        Assert.True(clock.Elapsed < PerCase, $"{label}: took {clock.Elapsed.TotalSeconds:F2} s");
    }
}
