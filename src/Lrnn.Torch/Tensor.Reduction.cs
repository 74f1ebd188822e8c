using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Reductions, scans, sorting and norms. `dtype` casts the input before reducing (e.g. sum of bfloat16 in float32);
// `dims` lists the reduced dimensions (negative counts from the end).
public sealed partial class Tensor
{
    // ---- sum and mean -------------------------------------------------------------------------------------
    // There is deliberately no `sum(ScalarType? dtype)` overload: C# converts the literal 0 to any enum, and an
    // overload whose parameters are all supplied beats one that needs defaults, so `x.sum(0)` would silently bind
    // to dtype = Byte instead of dim = 0. A whole-tensor reduction with a dtype is `x.sum(dtype: ...)`.

    public Tensor sum() => FromNative(NativeMethods.lrnn_sum_all(Handle, -1));

    /// <summary>Sum over <paramref name="dims"/> (null: all elements).</summary>
    public unsafe Tensor sum(long[]? dims = null, bool keepdim = false, ScalarType? dtype = null) =>
        Reduce(&NativeMethods.lrnn_sum_all, &NativeMethods.lrnn_sum, dims, keepdim, dtype);

    public unsafe Tensor sum(long dim, bool keepdim = false, ScalarType? dtype = null) =>
        FromNative(NativeMethods.lrnn_sum(Handle, &dim, 1, keepdim ? 1 : 0, DT(dtype)));

    public Tensor mean() => FromNative(NativeMethods.lrnn_mean_all(Handle, -1));

    /// <summary>Mean over <paramref name="dims"/> (null: all elements). Integral inputs need a floating <paramref name="dtype"/>.</summary>
    public unsafe Tensor mean(long[]? dims = null, bool keepdim = false, ScalarType? dtype = null) =>
        Reduce(&NativeMethods.lrnn_mean_all, &NativeMethods.lrnn_mean, dims, keepdim, dtype);

    public unsafe Tensor mean(long dim, bool keepdim = false, ScalarType? dtype = null) =>
        FromNative(NativeMethods.lrnn_mean(Handle, &dim, 1, keepdim ? 1 : 0, DT(dtype)));

    // A reduction over dims, or over every element (one native call without dims) when no dims and no keepdim are asked.
    private unsafe Tensor Reduce(delegate*<TensorHandle, int, IntPtr> all, delegate*<TensorHandle, long*, int, int, int, IntPtr> overDims,
        long[]? dims, bool keepdim, ScalarType? dtype)
    {
        if (dims is null && !keepdim) return FromNative(all(Handle, DT(dtype)));
        fixed (long* p = dims) return FromNative(overDims(Handle, p, dims?.Length ?? 0, keepdim ? 1 : 0, DT(dtype)));
    }

    /// <summary>log Σ exp(x) over <paramref name="dim"/>, computed stably (max-shifted).</summary>
    public unsafe Tensor logsumexp(long dim, bool keepdim = false) =>
        FromNative(NativeMethods.lrnn_logsumexp(Handle, &dim, 1, keepdim ? 1 : 0));

    public unsafe Tensor logsumexp(long[] dims, bool keepdim = false)
    {
        fixed (long* p = dims) return FromNative(NativeMethods.lrnn_logsumexp(Handle, p, dims.Length, keepdim ? 1 : 0));
    }

    // ---- scans ---------------------------------------------------------------------------------------------

    public Tensor cumsum(long dim, ScalarType? dtype = null) => FromNative(NativeMethods.lrnn_cumsum(Handle, dim, DT(dtype)));
    public Tensor cumprod(long dim, ScalarType? dtype = null) => FromNative(NativeMethods.lrnn_cumprod(Handle, dim, DT(dtype)));

    // ---- variance and standard deviation ---------------------------------------------------------------------
    // `unbiased` divides by N − 1 (Bessel), otherwise by N; `correction` gives the divisor N − correction.
    // `dims` null reduces over all elements.

    public Tensor var(bool unbiased = true) => Moment(false, null, unbiased ? 1 : 0, false);
    public unsafe Tensor var(long dim, bool unbiased = true, bool keepdim = false) => Moment(false, &dim, 1, unbiased ? 1 : 0, keepdim);
    public Tensor var(long[]? dims, bool unbiased = true, bool keepdim = false) => Moment(false, dims, unbiased ? 1 : 0, keepdim);
    public Tensor var(long[]? dims, long correction, bool keepdim = false) => Moment(false, dims, correction, keepdim);
    public Tensor std(bool unbiased = true) => Moment(true, null, unbiased ? 1 : 0, false);
    public unsafe Tensor std(long dim, bool unbiased = true, bool keepdim = false) => Moment(true, &dim, 1, unbiased ? 1 : 0, keepdim);
    public Tensor std(long[]? dims, bool unbiased = true, bool keepdim = false) => Moment(true, dims, unbiased ? 1 : 0, keepdim);
    public Tensor std(long[]? dims, long correction, bool keepdim = false) => Moment(true, dims, correction, keepdim);

    private unsafe Tensor Moment(bool standardDeviation, long[]? dims, long correction, bool keepdim)
    {
        fixed (long* p = dims) return Moment(standardDeviation, p, dims?.Length ?? 0, correction, keepdim);
    }

    private unsafe Tensor Moment(bool standardDeviation, long* dims, int ndims, long correction, bool keepdim) =>
        FromNative(standardDeviation
            ? NativeMethods.lrnn_std(Handle, dims, ndims, correction, keepdim ? 1 : 0)
            : NativeMethods.lrnn_var(Handle, dims, ndims, correction, keepdim ? 1 : 0));

    // ---- extrema ----------------------------------------------------------------------------------------------

    /// <summary>The largest element (a 0-d tensor).</summary>
    public Tensor max() => FromNative(NativeMethods.lrnn_max_all(Handle));

    /// <summary>The smallest element (a 0-d tensor).</summary>
    public Tensor min() => FromNative(NativeMethods.lrnn_min_all(Handle));

    /// <summary>Largest values along <paramref name="dim"/> and their (Int64) positions.</summary>
    public (Tensor values, Tensor indices) max(long dim, bool keepdim = false)
    {
        NativeErrors.Check(NativeMethods.lrnn_max_dim(Handle, dim, keepdim ? 1 : 0, out var values, out var indices));
        return Pair(values, indices);
    }

    /// <summary>Smallest values along <paramref name="dim"/> and their (Int64) positions.</summary>
    public (Tensor values, Tensor indices) min(long dim, bool keepdim = false)
    {
        NativeErrors.Check(NativeMethods.lrnn_min_dim(Handle, dim, keepdim ? 1 : 0, out var values, out var indices));
        return Pair(values, indices);
    }

    /// <summary>Maximum over <paramref name="dim"/> without indices (cheaper than max(dim); gradient split evenly between ties).</summary>
    public unsafe Tensor amax(long dim, bool keepdim = false) => FromNative(NativeMethods.lrnn_amax(Handle, &dim, 1, keepdim ? 1 : 0));

    public unsafe Tensor amax(long[] dims, bool keepdim = false)
    {
        fixed (long* p = dims) return FromNative(NativeMethods.lrnn_amax(Handle, p, dims.Length, keepdim ? 1 : 0));
    }

    public unsafe Tensor amin(long dim, bool keepdim = false) => FromNative(NativeMethods.lrnn_amin(Handle, &dim, 1, keepdim ? 1 : 0));

    public unsafe Tensor amin(long[] dims, bool keepdim = false)
    {
        fixed (long* p = dims) return FromNative(NativeMethods.lrnn_amin(Handle, p, dims.Length, keepdim ? 1 : 0));
    }

    /// <summary>Position of the largest element in the flattened tensor.</summary>
    public unsafe Tensor argmax() => FromNative(NativeMethods.lrnn_argmax(Handle, null, 0));

    public unsafe Tensor argmax(long dim, bool keepdim = false) => FromNative(NativeMethods.lrnn_argmax(Handle, &dim, keepdim ? 1 : 0));

    /// <summary>Position of the smallest element in the flattened tensor.</summary>
    public unsafe Tensor argmin() => FromNative(NativeMethods.lrnn_argmin(Handle, null, 0));

    public unsafe Tensor argmin(long dim, bool keepdim = false) => FromNative(NativeMethods.lrnn_argmin(Handle, &dim, keepdim ? 1 : 0));

    // ---- sorting ------------------------------------------------------------------------------------------------

    /// <summary>The <paramref name="k"/> largest (or smallest) entries along <paramref name="dim"/>, and their positions.</summary>
    public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        NativeErrors.Check(NativeMethods.lrnn_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var values, out var indices));
        return Pair(values, indices);
    }

    /// <summary>Sorted values along <paramref name="dim"/> and the permutation; <paramref name="stable"/> keeps ties in order.</summary>
    public (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false, bool stable = false)
    {
        NativeErrors.Check(NativeMethods.lrnn_sort(Handle, dim, descending ? 1 : 0, stable ? 1 : 0, out var values, out var indices));
        return Pair(values, indices);
    }

    // ---- norms --------------------------------------------------------------------------------------------------

    /// <summary>Vector p-norm of all elements: (Σ|x|^p)^(1/p); p = ∞ is max |x|, p = −∞ min |x|, p = 0 the non-zero count.</summary>
    public unsafe Tensor norm(double p = 2) => FromNative(NativeMethods.lrnn_norm(Handle, p, null, 0, 0));

    public unsafe Tensor norm(double p, long dim, bool keepdim = false) => FromNative(NativeMethods.lrnn_norm(Handle, p, &dim, 1, keepdim ? 1 : 0));

    public unsafe Tensor norm(double p, long[] dims, bool keepdim = false)
    {
        fixed (long* d = dims) return FromNative(NativeMethods.lrnn_norm(Handle, p, d, dims.Length, keepdim ? 1 : 0));
    }

    private static int DT(ScalarType? dtype) => dtype is null ? -1 : (int)dtype.Value;

    private static (Tensor values, Tensor indices) Pair(IntPtr values, IntPtr indices) => (new Tensor(values), new Tensor(indices));
}
