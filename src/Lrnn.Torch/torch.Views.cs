using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Joining, selecting by condition, and the torch.* spellings of the Tensor view/indexing methods.
public static partial class torch
{
    // ---- joining ----------------------------------------------------------------------------------------

    /// <summary>Concatenates along an existing dimension; all other sizes must match.</summary>
    public static unsafe Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(nameof(cat), tensors, dim, &NativeMethods.lrnn_cat);

    /// <summary>Joins along a new dimension <paramref name="dim"/>; all shapes must be equal.</summary>
    public static unsafe Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(nameof(stack), tensors, dim, &NativeMethods.lrnn_stack);

    private static unsafe Tensor Join(string op, IReadOnlyList<Tensor> tensors, long dim, delegate*<IntPtr*, long, long, IntPtr> join)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException($"{op} needs at least one tensor, got none.", nameof(tensors));
        for (var k = 0; k < tensors.Count; k++)
            if (tensors[k] is null) throw new ArgumentException($"{op}: tensor {k} of the list is null.", nameof(tensors));
        var raw = Tensor.RawHandles(tensors);
        IntPtr result;
        fixed (IntPtr* p = raw) result = join(p, raw.Length, dim);
        GC.KeepAlive(tensors);
        return Tensor.FromNative(result);
    }

    // ---- where: elementwise choice by a boolean condition (broadcasting) ----------------------------------

    /// <summary><c>condition ? input : other</c>, element by element.</summary>
    public static Tensor where(Tensor condition, Tensor input, Tensor other) =>
        Tensor.FromNative(NativeMethods.lrnn_where(condition.Handle, input.Handle, other.Handle));

    public static Tensor where(Tensor condition, Tensor input, double other) =>
        Tensor.FromNative(NativeMethods.lrnn_where_scalar_other(condition.Handle, input.Handle, NativeScalar.From(other)));

    public static Tensor where(Tensor condition, double input, Tensor other) =>
        Tensor.FromNative(NativeMethods.lrnn_where_scalar_self(condition.Handle, NativeScalar.From(input), other.Handle));

    /// <summary>Both branches scalars: the result has the condition's shape and the default float dtype.</summary>
    public static Tensor where(Tensor condition, double input, double other) =>
        Tensor.FromNative(NativeMethods.lrnn_where_scalars(condition.Handle, NativeScalar.From(input), NativeScalar.From(other)));

    // ---- torch.* spellings of Tensor methods ------------------------------------------------------------

    public static Tensor reshape(Tensor input, params long[] shape) => input.reshape(shape);
    public static Tensor transpose(Tensor input, long dim0, long dim1) => input.transpose(dim0, dim1);
    public static Tensor permute(Tensor input, params long[] dims) => input.permute(dims);
    public static Tensor flatten(Tensor input, long start_dim = 0, long end_dim = -1) => input.flatten(start_dim, end_dim);
    public static Tensor unflatten(Tensor input, long dim, params long[] sizes) => input.unflatten(dim, sizes);
    public static Tensor unsqueeze(Tensor input, long dim) => input.unsqueeze(dim);
    public static Tensor squeeze(Tensor input) => input.squeeze();
    public static Tensor squeeze(Tensor input, long dim) => input.squeeze(dim);
    public static Tensor narrow(Tensor input, long dim, long start, long length) => input.narrow(dim, start, length);
    public static Tensor select(Tensor input, long dim, long index) => input.select(dim, index);
    public static Tensor tril(Tensor input, long diagonal = 0) => input.tril(diagonal);
    public static Tensor triu(Tensor input, long diagonal = 0) => input.triu(diagonal);
    public static Tensor flip(Tensor input, params long[] dims) => input.flip(dims);
    public static Tensor roll(Tensor input, long shift, long dim) => input.roll(shift, dim);
    public static Tensor roll(Tensor input, long[] shifts, long[] dims) => input.roll(shifts, dims);
    public static Tensor repeat_interleave(Tensor input, long repeats, long? dim = null) => input.repeat_interleave(repeats, dim);
    public static Tensor clone(Tensor input) => input.clone();
    public static Tensor[] chunk(Tensor input, long chunks, long dim = 0) => input.chunk(chunks, dim);
    public static Tensor[] split(Tensor input, long split_size, long dim = 0) => input.split(split_size, dim);
    public static Tensor[] split(Tensor input, long[] split_sizes, long dim = 0) => input.split(split_sizes, dim);
    public static Tensor[] unbind(Tensor input, long dim = 0) => input.unbind(dim);
    public static Tensor index_select(Tensor input, long dim, Tensor index) => input.index_select(dim, index);
    public static Tensor gather(Tensor input, long dim, Tensor index) => input.gather(dim, index);
    public static Tensor scatter(Tensor input, long dim, Tensor index, Tensor src) => input.scatter(dim, index, src);
    public static Tensor scatter_add(Tensor input, long dim, Tensor index, Tensor src) => input.scatter_add(dim, index, src);
    public static Tensor masked_fill(Tensor input, Tensor mask, double value) => input.masked_fill(mask, value);

    public static partial class nn
    {
        public static partial class functional
        {
            /// <summary>
            /// Constant padding. <paramref name="pad"/> holds (before, after) pairs starting from the <em>last</em>
            /// dimension: <c>{ 2, 0 }</c> adds two elements at the start of the last dimension (a causal conv's
            /// left padding), <c>{ 0, 0, 1, 1 }</c> one on each side of the second-to-last. Negative amounts crop.
            /// </summary>
            public static unsafe Tensor pad(Tensor input, long[] pad, double value = 0)
            {
                ArgumentNullException.ThrowIfNull(pad);
                if (pad.Length % 2 != 0)
                    throw new ArgumentException($"pad needs (before, after) pairs, got {pad.Length} values {Tensor.Dims(pad)}.", nameof(pad));
                if (pad.Length / 2 > input.dim())
                    throw new ArgumentException(
                        $"pad {Tensor.Dims(pad)} covers {pad.Length / 2} dimensions but the input has shape {Tensor.Dims(input.shape)}.", nameof(pad));
                fixed (long* p = pad)
                    return Tensor.FromNative(NativeMethods.lrnn_constant_pad(input.Handle, p, pad.Length, NativeScalar.From(value)));
            }
        }
    }
}
