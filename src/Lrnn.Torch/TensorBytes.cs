using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Raw element bytes in and out (little-endian, row-major, as in memory on every platform we build for):
// the bridge to file formats such as safetensors, which store exactly these bytes.
public static partial class torch
{
    /// <summary>
    /// A tensor holding a copy of <paramref name="data"/>: the row-major elements of <paramref name="dtype"/>
    /// for <paramref name="shape"/>. The copy is made on the CPU, then moved to <paramref name="device"/>.
    /// </summary>
    public static unsafe Tensor from_bytes(ReadOnlySpan<byte> data, ScalarType dtype, long[] shape, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape {Tensor.Dims(shape)} has a negative dimension.", nameof(shape));
            count = checked(count * d);
        }
        var need = checked(count * dtype.ElementSize());
        if (need != data.Length)
            throw new ArgumentException($"shape {Tensor.Dims(shape)} of {dtype} needs {need} bytes but the data has {data.Length}.", nameof(data));
        var target = device ?? Device.CPU;
        fixed (byte* src = data)
        fixed (long* p = shape)
            return Tensor.FromNative(NativeMethods.lrnn_tensor_from_buffer(src, data.Length, p, shape.Length, (int)dtype,
                (int)target.Type, target.Index, 0));
    }
}

public sealed partial class Tensor
{
    /// <summary>Bytes of the elements: numel × element size (as PyTorch's <c>Tensor.nbytes</c>).</summary>
    public long nbytes => numel() * element_size();

    /// <summary>
    /// Copies the elements into <paramref name="destination"/>, which must be exactly <see cref="nbytes"/> long:
    /// row-major whatever the strides, from whatever device (through the CPU).
    /// </summary>
    public unsafe void CopyBytesTo(Span<byte> destination)
    {
        var need = nbytes;
        if (need != destination.Length)
            throw new ArgumentException($"a {dtype} tensor of shape {Dims(shape)} has {need} bytes but the destination has {destination.Length}.", nameof(destination));
        fixed (byte* dst = destination) NativeErrors.Check(NativeMethods.lrnn_tensor_copy_to_buffer(Handle, dst, need));
    }

    /// <summary>The elements' bytes in a new array (row-major).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[nbytes];
        CopyBytesTo(bytes);
        return bytes;
    }
}
