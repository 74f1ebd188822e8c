using System.IO.Compression;
using Newtonsoft.Json.Linq;

namespace Lrnn.Tests.PyTorchCheckpoints;

/// <summary>The torch.save fixtures under TestData/PyTorch (made by make_fixtures.py and scripts/verify-torch-checkpoints.py).</summary>
internal static class PyTorchFixtures
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "PyTorch");

    public static string File(string name) => Path.Combine(Folder, name);

    /// <summary>transformers / torch reference folders (hf-tied, hf-tied-bin, hf-untied-bias, mamba-ssm, lrnnx).</summary>
    public static string Reference(string name) => Path.Combine(Folder, "torchref", name);

    /// <summary>expected.json of make_fixtures.py: file → tensor → {dtype, shape, values}.</summary>
    public static JObject Expected => JObject.Parse(System.IO.File.ReadAllText(File("expected.json")));

    /// <summary>A zip laid out as torch.save lays it out, with the given records under <paramref name="prefix"/>.</summary>
    public static byte[] Archive(IEnumerable<(string Name, byte[] Data)> records, string prefix = "archive/")
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in records)
            {
                var entry = zip.CreateEntry(prefix + name, CompressionLevel.NoCompression);
                using var s = entry.Open();
                s.Write(data);
            }
        }
        return memory.ToArray();
    }

    /// <summary>The records of a torch.save archive, relative to its folder.</summary>
    public static List<(string Name, byte[] Data)> Records(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var prefix = zip.Entries.First(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).FullName[..^"data.pkl".Length];
        return zip.Entries.Select(e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return (e.FullName[prefix.Length..], m.ToArray());
        }).ToList();
    }
}
