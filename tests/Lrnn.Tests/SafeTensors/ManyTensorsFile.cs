using System.Buffers.Binary;
using System.Text;

namespace Lrnn.Tests.SafeTensors;

/// <summary>
/// A valid .safetensors file of <c>count</c> one-element F32 tensors, named <c>t0000000</c>, ... in offset order:
/// the shape of file that once took seconds to open (issue 21: 400,000 tensors, 28 MB).
/// </summary>
public static class ManyTensorsFile
{
    public static string Write(string path, int count)
    {
        var header = new StringBuilder(count * 64);
        header.Append('{');
        for (var i = 0; i < count; i++)
        {
            if (i > 0) header.Append(',');
            header.Append("\"t").Append(i.ToString("D7")).Append("\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[")
                .Append(4L * i).Append(',').Append(4L * i + 4).Append("]}");
        }
        header.Append('}');
        while (header.Length % 8 != 0) header.Append(' ');
        var json = Encoding.UTF8.GetBytes(header.ToString());
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        stream.Write(length);
        stream.Write(json);
        var data = new byte[4L * count];
        for (var i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), i);
        stream.Write(data);
        return path;
    }
}
