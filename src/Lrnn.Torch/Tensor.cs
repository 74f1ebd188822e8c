using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Lrnn.Torch.Native;

namespace Lrnn.Torch;

/// <summary>
/// A libtorch tensor. Owns one native handle: dispose it (or let a <see cref="DisposeScope"/> do so).
/// Method names follow PyTorch/TorchSharp (<c>x.view(B, L, D)</c>, <c>x.transpose(1, 2)</c>) so that model
/// code reads like the Python it is checked against. The partial files Tensor.*.cs group the operations by area.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly TensorHandle _handle;

    internal Tensor(IntPtr ptr)
    {
        TensorHandle.DrainPendingFrees();
        _handle = new TensorHandle(ptr);
        var scope = DisposeScope.Current;
        if (scope is not null)
        {
            OwningScope = scope;
            scope.Register(this);
        }
    }

    /// <summary>Takes ownership of a native result; a null result raises the pending native error.</summary>
    internal static Tensor FromNative(IntPtr ptr) => ptr == IntPtr.Zero ? throw NativeErrors.Last() : new Tensor(ptr);

    /// <summary>Like <see cref="FromNative"/> but a null result without an error means "no tensor".</summary>
    internal static Tensor? FromNativeOrNull(IntPtr ptr)
    {
        if (ptr != IntPtr.Zero) return new Tensor(ptr);
        if (NativeMethods.lrnn_last_error_code() != 0) throw NativeErrors.Last();
        return null;
    }

    internal TensorHandle Handle
    {
        get
        {
            if (_handle.IsClosed)
                throw new ObjectDisposedException(nameof(Tensor),
                    "This tensor was disposed (by Dispose or by the dispose scope that owned it).");
            return _handle;
        }
    }

    /// <summary>The dispose scope that owns this tensor, if any.</summary>
    public DisposeScope? OwningScope { get; internal set; }

    public bool IsDisposed => _handle.IsClosed;

    /// <summary>Frees the native tensor now. Idempotent.</summary>
    public void Dispose()
    {
        OwningScope = null;
        _handle.Dispose();
    }

    /// <summary>Removes this tensor from its dispose scope: the caller now owns it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        OwningScope = null;
        return this;
    }

    /// <summary>Moves this tensor to the scope enclosing its current scope.</summary>
    public Tensor MoveToOuterDisposeScope() =>
        OwningScope is null ? this : OwningScope.MoveToOuter(this);

    // ---- metadata --------------------------------------------------------------------------------------

    public unsafe long[] shape
    {
        get
        {
            var n = (int)dim();
            var s = new long[n];
            fixed (long* p = s) NativeErrors.Check(NativeMethods.lrnn_tensor_shape(Handle, p, n));
            return s;
        }
    }

    public unsafe long[] stride()
    {
        var n = (int)dim();
        var s = new long[n];
        fixed (long* p = s) NativeErrors.Check(NativeMethods.lrnn_tensor_strides(Handle, p, n));
        return s;
    }

    /// <summary>Size of dimension <paramref name="d"/> (negative counts from the end).</summary>
    public long size(int d)
    {
        var s = shape;
        var k = d < 0 ? d + s.Length : d;
        if (k < 0 || k >= s.Length)
            throw new ArgumentOutOfRangeException(nameof(d), $"dimension {d} is out of range for a tensor of rank {s.Length}");
        return s[k];
    }

    public long dim() => NativeErrors.Check(NativeMethods.lrnn_tensor_dim(Handle));
    public long numel() => NativeErrors.Check(NativeMethods.lrnn_tensor_numel(Handle));
    public ScalarType dtype => (ScalarType)NativeMethods.lrnn_tensor_dtype(Handle);
    /// <summary>Offset of the first element in the underlying storage, in elements.</summary>
    public long storage_offset() => NativeErrors.Check(NativeMethods.lrnn_tensor_storage_offset(Handle));

    public long element_size() => NativeErrors.Check(NativeMethods.lrnn_tensor_element_size(Handle));

    public Device device =>
        new((DeviceType)NativeMethods.lrnn_tensor_device_type(Handle), NativeMethods.lrnn_tensor_device_index(Handle));

    public bool is_cuda => device.Type == DeviceType.CUDA;
    public bool is_contiguous() => NativeMethods.lrnn_tensor_is_contiguous(Handle) == 1;
    public bool is_leaf => NativeMethods.lrnn_tensor_is_leaf(Handle) == 1;

    /// <summary>
    /// The version counter (PyTorch's <c>t._version</c>): every in-place write to this tensor, or to a view or
    /// <c>detach()</c> of it, increases it. Autograd uses it to detect a saved tensor modified in place; caches use it
    /// to know whether a tensor changed.
    /// </summary>
    public long _version => NativeErrors.Check(NativeMethods.lrnn_tensor_version(Handle));

    /// <summary>True when both tensors view the same storage.</summary>
    public bool is_alias_of(Tensor other) => NativeMethods.lrnn_tensor_same_storage(Handle, other.Handle) == 1;

    /// <summary>"Tensor[2, 3] Float32 cpu" (add "requires_grad" when set).</summary>
    public override string ToString()
    {
        if (IsDisposed) return "Tensor(disposed)";
        var s = $"Tensor[{string.Join(", ", shape)}] {dtype} {device}";
        return requires_grad ? s + " requires_grad" : s;
    }

    /// <summary>The summary line, followed by the values as libtorch prints them when <paramref name="withValues"/>.</summary>
    public unsafe string ToString(bool withValues)
    {
        if (!withValues || IsDisposed) return ToString();
        var cap = 4096;
        while (true)
        {
            var buf = new byte[cap];
            int rc;
            fixed (byte* p = buf) rc = NativeMethods.lrnn_tensor_print(Handle, p, cap);
            if (rc < 0) throw NativeErrors.Last();
            if (rc == 0) return ToString() + Environment.NewLine + Encoding.UTF8.GetString(buf, 0, Array.IndexOf(buf, (byte)0));
            cap = rc;
        }
    }

    // ---- data in and out --------------------------------------------------------------------------------

    /// <summary>
    /// Copies the elements (from any device, in row-major order) into a new array. <typeparamref name="T"/>
    /// must match the dtype's layout exactly (float for Float32, long for Int64, ...): no silent conversion.
    /// </summary>
    public unsafe T[] ToArray<T>() where T : unmanaged
    {
        var expected = ScalarTypes.Of<T>();
        var actual = dtype;
        if (expected != actual)
            throw new ArgumentException($"ToArray<{typeof(T).Name}> needs a {expected} tensor, but this tensor is {actual}; convert it with .to({expected}) first.");
        var n = checked((int)numel());
        var result = new T[n];
        fixed (T* p = result)
            NativeErrors.Check(NativeMethods.lrnn_tensor_copy_to_buffer(Handle, p, (long)n * sizeof(T)));
        return result;
    }

    /// <summary>
    /// The value of a one-element tensor, converted to <typeparamref name="T"/> (any element type of
    /// <see cref="ScalarTypes.Of{T}"/>). Integral tensors convert from their exact int64 value, so large
    /// Int64 values survive; narrowing integer conversions are checked.
    /// </summary>
    public T item<T>() where T : unmanaged
    {
        NativeErrors.Check(NativeMethods.lrnn_tensor_item(Handle, out var re, out var im, out var iv));
        var integral = dtype.IsIntegral(true);
        long AsLong() => integral ? iv : checked((long)re);
        object value = typeof(T) switch
        {
            var t when t == typeof(double) => re,
            var t when t == typeof(float) => (float)re,
            var t when t == typeof(Half) => (Half)re,
            var t when t == typeof(BFloat16) => (BFloat16)(float)re,
            var t when t == typeof(long) => AsLong(),
            var t when t == typeof(int) => checked((int)AsLong()),
            var t when t == typeof(short) => checked((short)AsLong()),
            var t when t == typeof(sbyte) => checked((sbyte)AsLong()),
            var t when t == typeof(byte) => checked((byte)AsLong()),
            var t when t == typeof(bool) => integral ? iv != 0 : re != 0 || im != 0,
            var t when t == typeof(System.Numerics.Complex) => new System.Numerics.Complex(re, im),
            var t when t == typeof(ComplexFloat) => new ComplexFloat((float)re, (float)im),
            _ => throw new NotSupportedException($"item<{typeof(T).Name}> is not supported"),
        };
        return (T)value;
    }

    // ---- conversion -------------------------------------------------------------------------------------

    public Tensor to(ScalarType type) => FromNative(NativeMethods.lrnn_tensor_to_dtype(Handle, (int)type));

    public Tensor to(Device target, bool nonBlocking = false, bool copy = false) =>
        FromNative(NativeMethods.lrnn_tensor_to(Handle, -1, (int)target.Type, target.Index, nonBlocking ? 1 : 0, copy ? 1 : 0));

    public Tensor to(ScalarType type, Device target, bool nonBlocking = false, bool copy = false) =>
        FromNative(NativeMethods.lrnn_tensor_to(Handle, (int)type, (int)target.Type, target.Index, nonBlocking ? 1 : 0, copy ? 1 : 0));

    public Tensor cpu() => to(Device.CPU);
    public Tensor cuda(int index = 0) => to(Device.CUDA(index));

    /// <summary>A second handle to the same tensor (shares data and autograd identity), with its own lifetime.</summary>
    public Tensor alias() => FromNative(NativeMethods.lrnn_tensor_alias(Handle));

    internal static string Dims(long[] shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
