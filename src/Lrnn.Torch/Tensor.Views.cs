using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Views, reshaping, sub-tensors, reordering and splitting. Results of view, transpose, permute, narrow,
// slice, select, expand, unsqueeze and squeeze share storage with this tensor: writing into them
// (copy_, masked_fill_, ...) writes into this tensor, which is how caches are updated in place.
public sealed partial class Tensor
{
    // ---- reshaping ----------------------------------------------------------------------------------------

    /// <summary>A view with a new shape (one entry may be -1); the element count must not change.</summary>
    public unsafe Tensor view(params long[] shape)
    {
        CheckNewShape(nameof(view), shape);
        fixed (long* p = shape) return FromNative(NativeMethods.lrnn_view(Handle, p, shape.Length));
    }

    /// <summary>Like <see cref="view"/>, but copies when the strides do not allow a view.</summary>
    public unsafe Tensor reshape(params long[] shape)
    {
        CheckNewShape(nameof(reshape), shape);
        fixed (long* p = shape) return FromNative(NativeMethods.lrnn_reshape(Handle, p, shape.Length));
    }

    public Tensor transpose(long dim0, long dim1) => FromNative(NativeMethods.lrnn_transpose(Handle, dim0, dim1));

    public unsafe Tensor permute(params long[] dims)
    {
        fixed (long* p = dims) return FromNative(NativeMethods.lrnn_permute(Handle, p, dims.Length));
    }

    /// <summary>Merges dimensions <paramref name="start_dim"/>..<paramref name="end_dim"/> (inclusive) into one.</summary>
    public Tensor flatten(long start_dim = 0, long end_dim = -1) => FromNative(NativeMethods.lrnn_flatten(Handle, start_dim, end_dim));

    /// <summary>Splits dimension <paramref name="dim"/> into <paramref name="sizes"/> (one may be -1).</summary>
    public unsafe Tensor unflatten(long dim, params long[] sizes)
    {
        fixed (long* p = sizes) return FromNative(NativeMethods.lrnn_unflatten(Handle, dim, p, sizes.Length));
    }

    public Tensor unsqueeze(long dim) => FromNative(NativeMethods.lrnn_unsqueeze(Handle, dim));

    /// <summary>Removes every dimension of size 1.</summary>
    public Tensor squeeze() => FromNative(NativeMethods.lrnn_squeeze(Handle));

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1 (otherwise returns a view of the same shape).</summary>
    public Tensor squeeze(long dim) => FromNative(NativeMethods.lrnn_squeeze_dim(Handle, dim));

    /// <summary>A broadcast view: size-1 dimensions repeat without copying; -1 keeps a size.</summary>
    public unsafe Tensor expand(params long[] sizes)
    {
        fixed (long* p = sizes) return FromNative(NativeMethods.lrnn_expand(Handle, p, sizes.Length));
    }

    public Tensor expand_as(Tensor other) => expand(other.shape);

    public Tensor contiguous() => FromNative(NativeMethods.lrnn_contiguous(Handle));

    /// <summary>A copy with its own storage; gradients flow back to this tensor.</summary>
    public Tensor clone() => FromNative(NativeMethods.lrnn_clone(Handle));

    // ---- sub-tensors --------------------------------------------------------------------------------------

    /// <summary>The view <c>x[..., start:start+length, ...]</c> along <paramref name="dim"/>.</summary>
    public Tensor narrow(long dim, long start, long length) => FromNative(NativeMethods.lrnn_narrow(Handle, dim, start, length));

    /// <summary>
    /// The view <c>x[..., start:end:step, ...]</c> along <paramref name="dim"/>; null bounds mean the ends, negative
    /// ones count from the end, as in Python.
    /// </summary>
    public Tensor slice(long dim, long? start, long? end, long step = 1) =>
        FromNative(NativeMethods.lrnn_slice(Handle, dim, start ?? 0, end ?? long.MaxValue, step));

    /// <summary>The view <c>x[..., index, ...]</c>: dimension <paramref name="dim"/> is removed.</summary>
    public Tensor select(long dim, long index) => FromNative(NativeMethods.lrnn_select(Handle, dim, index));

    /// <summary>The lower triangle of the last two dimensions: elements with column - row ≤ diagonal are kept.</summary>
    public Tensor tril(long diagonal = 0) => FromNative(NativeMethods.lrnn_tril(Handle, diagonal));

    /// <summary>The upper triangle of the last two dimensions: elements with column - row ≥ diagonal are kept.</summary>
    public Tensor triu(long diagonal = 0) => FromNative(NativeMethods.lrnn_triu(Handle, diagonal));

    // ---- reordering and repetition ------------------------------------------------------------------------

    /// <summary>Reverses the order of elements along each of <paramref name="dims"/> (a copy).</summary>
    public unsafe Tensor flip(params long[] dims)
    {
        fixed (long* p = dims) return FromNative(NativeMethods.lrnn_flip(Handle, p, dims.Length));
    }

    /// <summary>Rotates along <paramref name="dim"/>: element i moves to (i + shift) mod size.</summary>
    public Tensor roll(long shift, long dim) => roll(new[] { shift }, new[] { dim });

    /// <summary>Rotates along several dimensions; an empty <paramref name="dims"/> rolls the flattened tensor.</summary>
    public unsafe Tensor roll(long[] shifts, long[] dims)
    {
        fixed (long* s = shifts)
        fixed (long* d = dims)
            return FromNative(NativeMethods.lrnn_roll(Handle, s, shifts.Length, d, dims.Length));
    }

    /// <summary>Tiles the tensor: dimension k is repeated <c>repeats[k]</c> times (a copy).</summary>
    public unsafe Tensor repeat(params long[] repeats)
    {
        fixed (long* p = repeats) return FromNative(NativeMethods.lrnn_repeat(Handle, p, repeats.Length));
    }

    /// <summary>Repeats each element <paramref name="repeats"/> times along <paramref name="dim"/> ([a, b] → [a, a, b, b]);
    /// without a dim, along the flattened tensor.</summary>
    public Tensor repeat_interleave(long repeats, long? dim = null) =>
        FromNative(NativeMethods.lrnn_repeat_interleave(Handle, repeats, dim ?? 0, dim.HasValue ? 1 : 0));

    // ---- splitting ----------------------------------------------------------------------------------------

    /// <summary>At most <paramref name="chunks"/> views of (nearly) equal size along <paramref name="dim"/>.</summary>
    public unsafe Tensor[] chunk(long chunks, long dim = 0)
    {
        if (chunks <= 0) throw new ArgumentException($"chunk needs chunks > 0, got {chunks}.", nameof(chunks));
        var result = new IntPtr[chunks];
        fixed (IntPtr* p = result) return FromNativeList(result, NativeMethods.lrnn_chunk(Handle, chunks, dim, p, chunks));
    }

    /// <summary>Views of <paramref name="split_size"/> along <paramref name="dim"/> (the last one may be shorter).</summary>
    public unsafe Tensor[] split(long split_size, long dim = 0)
    {
        if (split_size <= 0) throw new ArgumentException($"split needs split_size > 0, got {split_size}.", nameof(split_size));
        var length = size(checked((int)dim));
        var result = new IntPtr[Math.Max(1, (length + split_size - 1) / split_size)];
        fixed (IntPtr* p = result) return FromNativeList(result, NativeMethods.lrnn_split(Handle, split_size, dim, p, result.Length));
    }

    /// <summary>Views of the given sizes along <paramref name="dim"/>; they must add up to its size.</summary>
    public unsafe Tensor[] split(long[] split_sizes, long dim = 0)
    {
        var result = new IntPtr[split_sizes.Length];
        fixed (long* s = split_sizes)
        fixed (IntPtr* p = result)
            return FromNativeList(result, NativeMethods.lrnn_split_with_sizes(Handle, s, split_sizes.Length, dim, p, result.Length));
    }

    /// <summary>The views <c>x.select(dim, i)</c> for every i.</summary>
    public unsafe Tensor[] unbind(long dim = 0)
    {
        var result = new IntPtr[size(checked((int)dim))];
        fixed (IntPtr* p = result) return FromNativeList(result, NativeMethods.lrnn_unbind(Handle, dim, p, result.Length));
    }

    // ---- helpers shared by the areas that pass tensor lists ---------------------------------------------

    /// <summary>Wraps the first <paramref name="count"/> handles the shim wrote into <paramref name="handles"/>.</summary>
    internal static Tensor[] FromNativeList(IntPtr[] handles, long count)
    {
        if (count < 0) throw NativeErrors.Last();
        var list = new Tensor[count];
        for (var k = 0; k < count; k++) list[k] = new Tensor(handles[k]);
        return list;
    }

    /// <summary>
    /// The raw native pointers of <paramref name="tensors"/> (null entries become nullptr) for an export that
    /// takes a tensor list. The caller keeps <paramref name="tensors"/> alive across the call (GC.KeepAlive).
    /// </summary>
    internal static IntPtr[] RawHandles(IReadOnlyList<Tensor?> tensors)
    {
        var raw = new IntPtr[tensors.Count];
        for (var k = 0; k < raw.Length; k++) raw[k] = tensors[k]?.Handle.DangerousGetHandle() ?? IntPtr.Zero;
        return raw;
    }

    /// <summary>view/reshape: at most one -1, and the element count must stay the same.</summary>
    private void CheckNewShape(string op, long[] shape)
    {
        long known = 1;
        var inferred = 0;
        foreach (var s in shape)
        {
            if (s == -1) inferred++;
            else if (s < 0) throw new ArgumentException($"{op}: invalid size {s} in shape {Dims(shape)}.", nameof(shape));
            else known *= s;
        }
        if (inferred > 1) throw new ArgumentException($"{op}: only one dimension can be -1, got shape {Dims(shape)}.", nameof(shape));
        var n = numel();
        var fits = inferred == 0 ? known == n : known != 0 && n % known == 0;
        if (!fits)
            throw new ArgumentException($"{op}: shape {Dims(shape)} is invalid for a tensor of shape {Dims(this.shape)} ({n} elements).", nameof(shape));
    }
}
