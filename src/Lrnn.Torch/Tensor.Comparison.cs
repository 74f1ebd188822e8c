using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Elementwise comparisons and logic (Bool results), extrema of two tensors, and whole-tensor equality.
//
// The operators ==, !=, <, <=, >, >= are NOT overloaded on Tensor. Tensor is a reference type: collections,
// `is null` patterns, ReferenceEquals-based caches and `x == null` checks all rely on == meaning reference
// identity and returning bool. An elementwise == returning a Tensor would silently change all of them (and leak a
// native tensor per comparison). Use x.eq(y), x.lt(0.5), ... instead.
public sealed partial class Tensor
{
    public Tensor eq(Tensor other) => FromNative(NativeMethods.lrnn_eq(Handle, other.Handle));
    public Tensor eq(double other) => FromNative(NativeMethods.lrnn_eq_scalar(Handle, NativeScalar.From(other)));
    public Tensor eq(long other) => FromNative(NativeMethods.lrnn_eq_scalar(Handle, NativeScalar.From(other)));
    public Tensor ne(Tensor other) => FromNative(NativeMethods.lrnn_ne(Handle, other.Handle));
    public Tensor ne(double other) => FromNative(NativeMethods.lrnn_ne_scalar(Handle, NativeScalar.From(other)));
    public Tensor ne(long other) => FromNative(NativeMethods.lrnn_ne_scalar(Handle, NativeScalar.From(other)));
    public Tensor lt(Tensor other) => FromNative(NativeMethods.lrnn_lt(Handle, other.Handle));
    public Tensor lt(double other) => FromNative(NativeMethods.lrnn_lt_scalar(Handle, NativeScalar.From(other)));
    public Tensor lt(long other) => FromNative(NativeMethods.lrnn_lt_scalar(Handle, NativeScalar.From(other)));
    public Tensor le(Tensor other) => FromNative(NativeMethods.lrnn_le(Handle, other.Handle));
    public Tensor le(double other) => FromNative(NativeMethods.lrnn_le_scalar(Handle, NativeScalar.From(other)));
    public Tensor le(long other) => FromNative(NativeMethods.lrnn_le_scalar(Handle, NativeScalar.From(other)));
    public Tensor gt(Tensor other) => FromNative(NativeMethods.lrnn_gt(Handle, other.Handle));
    public Tensor gt(double other) => FromNative(NativeMethods.lrnn_gt_scalar(Handle, NativeScalar.From(other)));
    public Tensor gt(long other) => FromNative(NativeMethods.lrnn_gt_scalar(Handle, NativeScalar.From(other)));
    public Tensor ge(Tensor other) => FromNative(NativeMethods.lrnn_ge(Handle, other.Handle));
    public Tensor ge(double other) => FromNative(NativeMethods.lrnn_ge_scalar(Handle, NativeScalar.From(other)));
    public Tensor ge(long other) => FromNative(NativeMethods.lrnn_ge_scalar(Handle, NativeScalar.From(other)));

    /// <summary>Elementwise maximum with broadcasting (NaN propagates).</summary>
    public Tensor maximum(Tensor other) => FromNative(NativeMethods.lrnn_maximum(Handle, other.Handle));

    /// <summary>Elementwise minimum with broadcasting (NaN propagates).</summary>
    public Tensor minimum(Tensor other) => FromNative(NativeMethods.lrnn_minimum(Handle, other.Handle));

    public Tensor logical_and(Tensor other) => FromNative(NativeMethods.lrnn_logical_and(Handle, other.Handle));
    public Tensor logical_or(Tensor other) => FromNative(NativeMethods.lrnn_logical_or(Handle, other.Handle));
    public Tensor logical_not() => FromNative(NativeMethods.lrnn_logical_not(Handle));
    public Tensor isnan() => FromNative(NativeMethods.lrnn_isnan(Handle));
    public Tensor isinf() => FromNative(NativeMethods.lrnn_isinf(Handle));
    public Tensor isfinite() => FromNative(NativeMethods.lrnn_isfinite(Handle));

    /// <summary>|this − other| ≤ atol + rtol·|other| everywhere (broadcasting), as torch.allclose.</summary>
    public bool allclose(Tensor other, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) =>
        Flag(NativeMethods.lrnn_allclose(Handle, other.Handle, rtol, atol, equal_nan ? 1 : 0));

    /// <summary>Same shape and the same elements (torch.equal); not reference equality.</summary>
    public bool equal(Tensor other) => Flag(NativeMethods.lrnn_equal(Handle, other.Handle));

    /// <summary>A native 1/0 answer, or -1 with a pending error.</summary>
    private static bool Flag(int answer)
    {
        NativeErrors.Check(answer);
        return answer == 1;
    }
}
