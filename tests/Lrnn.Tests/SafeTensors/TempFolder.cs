using System.Buffers.Binary;
using System.Text;

namespace Lrnn.Tests.SafeTensors;

/// <summary>A fresh folder under the system temp folder, deleted (with its content) on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lrnn-tests-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <c>[u64 little-endian byte length of header][header as UTF-8][data]</c> and returns its path.</summary>
    public string WriteSafeTensors(string name, string header, byte[]? data = null) =>
        WriteBytes(name, SafeTensorsBytes(header, data ?? []));

    public string WriteBytes(string name, byte[] bytes)
    {
        var path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public static byte[] SafeTensorsBytes(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
