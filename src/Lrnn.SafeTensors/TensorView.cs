using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lrnn.SafeTensors;

/// <summary>
/// One tensor of an open <see cref="SafeTensorsFile"/>: its name, dtype, shape and bytes (little-endian,
/// row-major). <see cref="Data"/> points into the file's mapping and is valid only while the file is open.
/// </summary>
public sealed class TensorView
{
    private readonly SafeTensorsFile _file;
    private readonly long[] _shape;

    internal TensorView(SafeTensorsFile file, in TensorInfo info, long fileOffset)
    {
        _file = file;
        _shape = info.Shape;
        Name = info.Name;
        Dtype = info.Dtype;
        ByteLength = info.ByteLength;
        FileOffset = fileOffset;
    }

    public string Name { get; }
    public SafeTensorsDtype Dtype { get; }
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Number of elements: the product of the shape (1 for a rank-0 tensor).</summary>
    public long ElementCount => ByteLength / Dtype.ElementSize();

    public long ByteLength { get; }

    /// <summary>Where the bytes begin in the file (8 + header length + BEGIN).</summary>
    public long FileOffset { get; }

    /// <summary>The bytes, straight from the mapping (no copy). Do not keep the span past the file's disposal.</summary>
    public ReadOnlySpan<byte> Data => _file.Bytes(FileOffset, ByteLength, Name);

    /// <summary>
    /// Copies the elements into a new array. <typeparamref name="T"/> must have the element's size
    /// (<c>float</c> for F32, <c>Half</c> or <c>ushort</c> for F16/BF16, a pair of floats for C64, ...);
    /// the bytes are reinterpreted, not converted.
    /// </summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        if (size != Dtype.ElementSize())
            throw new ArgumentException(
                $"ToArray<{typeof(T).Name}> reads {size}-byte elements, but tensor '{Name}' is {Dtype} with {Dtype.ElementSize()}-byte elements.");
        var result = new T[ElementCount];
        Data.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    public override string ToString() => $"{Name}: {Dtype} [{string.Join(", ", _shape)}]";
}
