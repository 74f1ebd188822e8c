using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Indexing by Int64 index tensors and boolean masks. In-place variants (`_`) return this tensor.
public sealed partial class Tensor
{
    // ---- reading ------------------------------------------------------------------------------------------

    /// <summary>The entries <c>index[k]</c> of dimension <paramref name="dim"/>, in order (a copy).</summary>
    public Tensor index_select(long dim, Tensor index) => FromNative(NativeMethods.lrnn_index_select(Handle, dim, index.Handle));

    /// <summary><c>out[i][j] = x[index[i][j]][j]</c> for dim 0 (and likewise for other dims); out has index's shape.</summary>
    public Tensor gather(long dim, Tensor index) => FromNative(NativeMethods.lrnn_gather(Handle, dim, index.Handle));

    // ---- scattering: the inverse of gather --------------------------------------------------------------

    /// <summary>A copy with <c>out[index[i][j]][j] = src[i][j]</c> for dim 0 (and likewise for other dims).</summary>
    public Tensor scatter(long dim, Tensor index, Tensor src) =>
        FromNative(NativeMethods.lrnn_scatter(Handle, dim, index.Handle, src.Handle));

    public Tensor scatter(long dim, Tensor index, double value) =>
        FromNative(NativeMethods.lrnn_scatter_value(Handle, dim, index.Handle, NativeScalar.From(value)));

    /// <summary>Like <see cref="scatter(long, Tensor, Tensor)"/>, but duplicate indices add up.</summary>
    public Tensor scatter_add(long dim, Tensor index, Tensor src) =>
        FromNative(NativeMethods.lrnn_scatter_add(Handle, dim, index.Handle, src.Handle));

    public Tensor scatter_(long dim, Tensor index, Tensor src)
    {
        NativeErrors.Check(NativeMethods.lrnn_scatter_(Handle, dim, index.Handle, src.Handle));
        return this;
    }

    public Tensor scatter_(long dim, Tensor index, double value)
    {
        NativeErrors.Check(NativeMethods.lrnn_scatter_value_(Handle, dim, index.Handle, NativeScalar.From(value)));
        return this;
    }

    public Tensor scatter_add_(long dim, Tensor index, Tensor src)
    {
        NativeErrors.Check(NativeMethods.lrnn_scatter_add_(Handle, dim, index.Handle, src.Handle));
        return this;
    }

    // ---- writing slices selected by index tensors -------------------------------------------------------

    /// <summary>A copy whose entries <c>index[k]</c> of dimension <paramref name="dim"/> are <c>source.select(dim, k)</c>.</summary>
    public Tensor index_copy(long dim, Tensor index, Tensor source) =>
        FromNative(NativeMethods.lrnn_index_copy(Handle, dim, index.Handle, source.Handle));

    /// <summary>In place <see cref="index_copy"/>: writes rows of a cache at arbitrary positions.</summary>
    public Tensor index_copy_(long dim, Tensor index, Tensor source)
    {
        NativeErrors.Check(NativeMethods.lrnn_index_copy_(Handle, dim, index.Handle, source.Handle));
        return this;
    }

    /// <summary>
    /// <c>x[indices[0], indices[1], ...] = values</c> (or <c>+=</c> with <paramref name="accumulate"/>, where duplicate
    /// indices add up), as a copy. A null entry stands for <c>:</c> (the whole dimension).
    /// </summary>
    public unsafe Tensor index_put(Tensor?[] indices, Tensor values, bool accumulate = false)
    {
        var raw = IndexHandles(indices);
        IntPtr result;
        fixed (IntPtr* p = raw) result = NativeMethods.lrnn_index_put(Handle, p, raw.Length, values.Handle, accumulate ? 1 : 0);
        GC.KeepAlive(indices);
        return FromNative(result);
    }

    /// <summary>In place <see cref="index_put"/>.</summary>
    public unsafe Tensor index_put_(Tensor?[] indices, Tensor values, bool accumulate = false)
    {
        var raw = IndexHandles(indices);
        int status;
        fixed (IntPtr* p = raw) status = NativeMethods.lrnn_index_put_(Handle, p, raw.Length, values.Handle, accumulate ? 1 : 0);
        GC.KeepAlive(indices);
        NativeErrors.Check(status);
        return this;
    }

    private static IntPtr[] IndexHandles(Tensor?[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Length == 0) throw new ArgumentException("index_put needs at least one index tensor.", nameof(indices));
        return RawHandles(indices);
    }

    // ---- masks --------------------------------------------------------------------------------------------

    /// <summary>A copy with <paramref name="value"/> wherever the (broadcast) boolean <paramref name="mask"/> is true.</summary>
    public Tensor masked_fill(Tensor mask, double value) =>
        FromNative(NativeMethods.lrnn_masked_fill(Handle, BoolMask(mask), NativeScalar.From(value)));

    public Tensor masked_fill(Tensor mask, long value) =>
        FromNative(NativeMethods.lrnn_masked_fill(Handle, BoolMask(mask), NativeScalar.From(value)));

    public Tensor masked_fill_(Tensor mask, double value)
    {
        NativeErrors.Check(NativeMethods.lrnn_masked_fill_(Handle, BoolMask(mask), NativeScalar.From(value)));
        return this;
    }

    public Tensor masked_fill_(Tensor mask, long value)
    {
        NativeErrors.Check(NativeMethods.lrnn_masked_fill_(Handle, BoolMask(mask), NativeScalar.From(value)));
        return this;
    }

    /// <summary>
    /// libtorch 1.13 silently ignores a floating-point mask (and treats a uint8 one as a deprecated boolean), while
    /// 2.x rejects both: insist on Bool so that every version behaves alike.
    /// </summary>
    private static TensorHandle BoolMask(Tensor mask)
    {
        var type = mask.dtype;
        if (type != ScalarType.Bool)
            throw new ArgumentException($"masked_fill needs a Bool mask, got a {type} mask of shape {Dims(mask.shape)}; compare (e.g. x > 0) or convert with .to(torch.@bool).", nameof(mask));
        return mask.Handle;
    }
}
