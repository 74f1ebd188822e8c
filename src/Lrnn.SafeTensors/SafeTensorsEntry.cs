using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lrnn.SafeTensors;

/// <summary>Fills <paramref name="destination"/> (exactly the tensor's byte size) with its little-endian, row-major bytes.</summary>
public delegate void TensorDataWriter(Span<byte> destination);

/// <summary>
/// A tensor to be written: name, dtype, shape, and a callback that writes its bytes straight into the output
/// file's mapping, so a large model is copied once (from its tensors to the file), not staged in between.
/// </summary>
public sealed class SafeTensorsEntry
{
    private readonly long[] _shape;

    public SafeTensorsEntry(string name, SafeTensorsDtype dtype, IReadOnlyList<long> shape, TensorDataWriter writeData)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(writeData);
        if (!IsWellFormedUtf16(name)) throw new ArgumentException($"tensor name '{name}' holds an unpaired surrogate, so it has no UTF-8 form.", nameof(name));
        if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved for the metadata map and cannot name a tensor.", nameof(name));
        _shape = shape.ToArray();
        long count = 1;
        foreach (var d in _shape)
        {
            if (d < 0) throw new ArgumentException($"tensor '{name}' has a negative dimension in shape [{string.Join(", ", _shape)}].", nameof(shape));
            count = checked(count * d);
        }
        Name = name;
        Dtype = dtype;
        ByteSize = checked(count * dtype.ElementSize());
        WriteData = writeData;
    }

    /// <summary>An entry whose bytes are already in memory; their length must match the dtype and shape.</summary>
    public static SafeTensorsEntry FromBytes(string name, SafeTensorsDtype dtype, IReadOnlyList<long> shape, ReadOnlyMemory<byte> data) =>
        WithLength(new SafeTensorsEntry(name, dtype, shape, destination => data.Span.CopyTo(destination)), data.Length);

    /// <summary>An entry holding <paramref name="values"/> (not copied until written), whose element type must
    /// have the dtype's size.</summary>
    public static SafeTensorsEntry FromArray<T>(string name, SafeTensorsDtype dtype, IReadOnlyList<long> shape, T[] values) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Unsafe.SizeOf<T>() != dtype.ElementSize())
            throw new ArgumentException($"{typeof(T).Name} elements do not have the size of {dtype} ({dtype.ElementSize()} bytes).", nameof(values));
        return WithLength(new SafeTensorsEntry(name, dtype, shape, destination => MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(destination)),
            (long)values.Length * dtype.ElementSize());
    }

    private static bool IsWellFormedUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return false;
        }
        return true;
    }

    private static SafeTensorsEntry WithLength(SafeTensorsEntry entry, long givenBytes) =>
        entry.ByteSize == givenBytes
            ? entry
            : throw new ArgumentException(
                $"tensor '{entry.Name}' ({entry.Dtype}, shape [{string.Join(", ", entry._shape)}]) needs {entry.ByteSize} bytes but {givenBytes} were given.");

    public string Name { get; }
    public SafeTensorsDtype Dtype { get; }
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Element count × element size.</summary>
    public long ByteSize { get; }

    public TensorDataWriter WriteData { get; }

    internal long[] ShapeArray => _shape;
}
