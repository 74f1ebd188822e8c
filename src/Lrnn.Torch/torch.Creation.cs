using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Factories. dtype null = libtorch's default (float32); device null = CPU.
public static partial class torch
{
    private static int DT(ScalarType? t) => t is null ? -1 : (int)t.Value;

    public static unsafe Tensor empty(long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.FromNative(NativeMethods.lrnn_empty(p, shape.Length, DT(dtype), (int)d.Type, d.Index, requires_grad ? 1 : 0));
    }

    public static unsafe Tensor zeros(long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.FromNative(NativeMethods.lrnn_zeros(p, shape.Length, DT(dtype), (int)d.Type, d.Index, requires_grad ? 1 : 0));
    }

    public static unsafe Tensor ones(long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.FromNative(NativeMethods.lrnn_ones(p, shape.Length, DT(dtype), (int)d.Type, d.Index, requires_grad ? 1 : 0));
    }

    public static unsafe Tensor full(long[] shape, double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.FromNative(NativeMethods.lrnn_full(p, shape.Length, NativeScalar.From(value), DT(dtype), (int)d.Type, d.Index, requires_grad ? 1 : 0));
    }

    public static Tensor zeros(params long[] shape) => zeros(shape, null);
    public static Tensor ones(params long[] shape) => ones(shape, null);
    public static Tensor empty(params long[] shape) => empty(shape, null);

    /// <summary>[start, end) with step; integral arguments give an Int64 tensor, as in PyTorch.</summary>
    public static Tensor arange(long start, long end, long step = 1, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.FromNative(NativeMethods.lrnn_arange(NativeScalar.From(start), NativeScalar.From(end), NativeScalar.From(step), DT(dtype), (int)d.Type, d.Index, 0));
    }

    public static Tensor arange(long end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor arange(double start, double end, double step, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.FromNative(NativeMethods.lrnn_arange(NativeScalar.From(start), NativeScalar.From(end), NativeScalar.From(step), DT(dtype), (int)d.Type, d.Index, 0));
    }

    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.FromNative(NativeMethods.lrnn_linspace(start, end, steps, DT(dtype), (int)d.Type, d.Index, 0));
    }

    /// <summary>The n x m identity matrix (m defaults to n).</summary>
    public static Tensor eye(long n, long? m = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        return Tensor.FromNative(NativeMethods.lrnn_eye(n, m ?? n, DT(dtype), (int)d.Type, d.Index, requires_grad ? 1 : 0));
    }

    // ---- *_like: the shape and device of `input`, and its dtype unless one is given ----------------------

    public static Tensor empty_like(Tensor input, ScalarType? dtype = null, bool requires_grad = false) =>
        Tensor.FromNative(NativeMethods.lrnn_empty_like(input.Handle, DT(dtype), requires_grad ? 1 : 0));

    public static Tensor zeros_like(Tensor input, ScalarType? dtype = null, bool requires_grad = false) =>
        Tensor.FromNative(NativeMethods.lrnn_zeros_like(input.Handle, DT(dtype), requires_grad ? 1 : 0));

    public static Tensor ones_like(Tensor input, ScalarType? dtype = null, bool requires_grad = false) =>
        Tensor.FromNative(NativeMethods.lrnn_ones_like(input.Handle, DT(dtype), requires_grad ? 1 : 0));

    public static Tensor full_like(Tensor input, double value, ScalarType? dtype = null, bool requires_grad = false) =>
        Tensor.FromNative(NativeMethods.lrnn_full_like(input.Handle, NativeScalar.From(value), DT(dtype), requires_grad ? 1 : 0));

    /// <summary>A tensor holding a copy of <paramref name="data"/>, with the given shape (default: 1-D).</summary>
    public static unsafe Tensor tensor<T>(T[] data, long[]? shape = null, Device? device = null, bool requires_grad = false)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        shape ??= new long[] { data.Length };
        long count = 1;
        foreach (var s in shape) count *= s;
        if (count != data.Length)
            throw new ArgumentException($"shape {Tensor.Dims(shape)} needs {count} elements but the data has {data.Length}.", nameof(shape));
        var d = device ?? Device.CPU;
        fixed (T* src = data)
        fixed (long* p = shape)
            return Tensor.FromNative(NativeMethods.lrnn_tensor_from_buffer(src, (long)data.Length * sizeof(T), p, shape.Length,
                (int)ScalarTypes.Of<T>(), (int)d.Type, d.Index, requires_grad ? 1 : 0));
    }

    /// <summary>A 0-dimensional tensor.</summary>
    public static unsafe Tensor scalar_tensor<T>(T value, Device? device = null) where T : unmanaged =>
        tensor(new[] { value }, Array.Empty<long>(), device);
}
