using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Elementwise arithmetic (broadcasting), unary functions and matrix products. Scalar overloads pass the scalar by
// value: `x * 2.0` allocates exactly one native object, the result (TorchSharp's implicit Scalars leak, #1434).
// A `long` scalar keeps integral tensors integral (`i.mul(2)` is Int64), a `double` one promotes them to float,
// as Python ints and floats do.
public sealed partial class Tensor
{
    // ---- binary arithmetic ----------------------------------------------------------------------------

    /// <summary>
    /// A whole-number alpha travels as an integer: libtorch rejects a floating alpha for integer tensors
    /// ("alpha must not be a floating point number") but takes an integral one for every dtype.
    /// </summary>
    private static NativeScalar Alpha(double alpha) =>
        alpha == Math.Floor(alpha) && Math.Abs(alpha) <= 9007199254740992.0 ? NativeScalar.From((long)alpha) : NativeScalar.From(alpha);

    public Tensor add(Tensor other, double alpha = 1) => FromNative(NativeMethods.lrnn_add(Handle, other.Handle, Alpha(alpha)));
    public Tensor add(double other) => FromNative(NativeMethods.lrnn_add_scalar(Handle, NativeScalar.From(other)));
    public Tensor add(long other) => FromNative(NativeMethods.lrnn_add_scalar(Handle, NativeScalar.From(other)));
    public Tensor sub(Tensor other, double alpha = 1) => FromNative(NativeMethods.lrnn_sub(Handle, other.Handle, Alpha(alpha)));
    public Tensor sub(double other) => FromNative(NativeMethods.lrnn_sub_scalar(Handle, NativeScalar.From(other)));
    public Tensor sub(long other) => FromNative(NativeMethods.lrnn_sub_scalar(Handle, NativeScalar.From(other)));
    public Tensor mul(Tensor other) => FromNative(NativeMethods.lrnn_mul(Handle, other.Handle));
    public Tensor mul(double other) => FromNative(NativeMethods.lrnn_mul_scalar(Handle, NativeScalar.From(other)));
    public Tensor mul(long other) => FromNative(NativeMethods.lrnn_mul_scalar(Handle, NativeScalar.From(other)));

    /// <summary>True division: integral inputs give a floating result, as in PyTorch.</summary>
    public Tensor div(Tensor other) => FromNative(NativeMethods.lrnn_div(Handle, other.Handle));
    public Tensor div(double other) => FromNative(NativeMethods.lrnn_div_scalar(Handle, NativeScalar.From(other)));

    public Tensor pow(Tensor exponent) => FromNative(NativeMethods.lrnn_pow(Handle, exponent.Handle));
    public Tensor pow(double exponent) => FromNative(NativeMethods.lrnn_pow_scalar(Handle, NativeScalar.From(exponent)));
    public Tensor pow(long exponent) => FromNative(NativeMethods.lrnn_pow_scalar(Handle, NativeScalar.From(exponent)));

    /// <summary>Python's modulus: the result has the sign of the divisor (unlike C#'s <c>%</c>).</summary>
    public Tensor remainder(Tensor other) => FromNative(NativeMethods.lrnn_remainder(Handle, other.Handle));
    public Tensor remainder(double other) => FromNative(NativeMethods.lrnn_remainder_scalar(Handle, NativeScalar.From(other)));
    public Tensor remainder(long other) => FromNative(NativeMethods.lrnn_remainder_scalar(Handle, NativeScalar.From(other)));

    // ---- unary ------------------------------------------------------------------------------------------

    public Tensor neg() => FromNative(NativeMethods.lrnn_neg(Handle));
    public Tensor exp() => FromNative(NativeMethods.lrnn_exp(Handle));
    public Tensor log() => FromNative(NativeMethods.lrnn_log(Handle));
    public Tensor log1p() => FromNative(NativeMethods.lrnn_log1p(Handle));
    public Tensor expm1() => FromNative(NativeMethods.lrnn_expm1(Handle));
    public Tensor sin() => FromNative(NativeMethods.lrnn_sin(Handle));
    public Tensor cos() => FromNative(NativeMethods.lrnn_cos(Handle));
    public Tensor sqrt() => FromNative(NativeMethods.lrnn_sqrt(Handle));
    public Tensor rsqrt() => FromNative(NativeMethods.lrnn_rsqrt(Handle));

    /// <summary>|x|; of a complex tensor, the real magnitude (ComplexFloat32 gives Float32).</summary>
    public Tensor abs() => FromNative(NativeMethods.lrnn_abs(Handle));
    public Tensor reciprocal() => FromNative(NativeMethods.lrnn_reciprocal(Handle));
    public Tensor sign() => FromNative(NativeMethods.lrnn_sign(Handle));
    public Tensor square() => FromNative(NativeMethods.lrnn_square(Handle));
    public Tensor floor() => FromNative(NativeMethods.lrnn_floor(Handle));
    public Tensor ceil() => FromNative(NativeMethods.lrnn_ceil(Handle));

    /// <summary>Rounds half to even (banker's rounding), as PyTorch does.</summary>
    public Tensor round() => FromNative(NativeMethods.lrnn_round(Handle));

    /// <summary>Limits the values to [min, max]; a null bound is open. At least one bound is required.</summary>
    public unsafe Tensor clamp(double? min = null, double? max = null)
    {
        NativeScalar lo = NativeScalar.From(min.GetValueOrDefault()), hi = NativeScalar.From(max.GetValueOrDefault());
        return FromNative(NativeMethods.lrnn_clamp(Handle, min.HasValue ? &lo : null, max.HasValue ? &hi : null));
    }

    // ---- activations that PyTorch also has as tensor methods (see torch.nn.functional) --------------------

    public Tensor sigmoid() => FromNative(NativeMethods.lrnn_sigmoid(Handle));
    public Tensor tanh() => FromNative(NativeMethods.lrnn_tanh(Handle));
    public Tensor relu() => FromNative(NativeMethods.lrnn_relu(Handle));
    public Tensor softmax(long dim, ScalarType? dtype = null) => FromNative(NativeMethods.lrnn_softmax(Handle, dim, dtype is null ? -1 : (int)dtype));
    public Tensor log_softmax(long dim, ScalarType? dtype = null) => FromNative(NativeMethods.lrnn_log_softmax(Handle, dim, dtype is null ? -1 : (int)dtype));

    // ---- matrix products --------------------------------------------------------------------------------

    /// <summary>torch.matmul: dot, matrix-vector, matrix-matrix or batched (broadcast) product by rank.</summary>
    public Tensor matmul(Tensor other)
    {
        var result = NativeMethods.lrnn_matmul(Handle, other.Handle);
        return result != IntPtr.Zero ? new Tensor(result) : throw ShapeDiagnostics.Matmul(this, other, NativeErrors.Last());
    }

    /// <summary>Batched matrix product of (B, n, k) and (B, k, m): no broadcasting.</summary>
    public Tensor bmm(Tensor other)
    {
        var result = NativeMethods.lrnn_bmm(Handle, other.Handle);
        return result != IntPtr.Zero ? new Tensor(result) : throw ShapeDiagnostics.Bmm(this, other, NativeErrors.Last());
    }

    /// <summary>Outer product of two vectors: (n) ⊗ (m) → (n, m).</summary>
    public Tensor outer(Tensor other) => FromNative(NativeMethods.lrnn_outer(Handle, other.Handle));

    /// <summary>beta·this + alpha·(m1 @ m2), in one GEMM (this broadcasts to (n, m)).</summary>
    public Tensor addmm(Tensor m1, Tensor m2, double beta = 1, double alpha = 1)
    {
        var result = NativeMethods.lrnn_addmm(Handle, m1.Handle, m2.Handle, NativeScalar.From(beta), NativeScalar.From(alpha));
        return result != IntPtr.Zero ? new Tensor(result) : throw ShapeDiagnostics.Matmul(m1, m2, NativeErrors.Last());
    }

    // ---- in place: return this tensor, as PyTorch does ---------------------------------------------------

    public Tensor add_(Tensor other, double alpha = 1) => InPlace(NativeMethods.lrnn_add_(Handle, other.Handle, Alpha(alpha)));
    public Tensor add_(double other) => InPlace(NativeMethods.lrnn_add_scalar_(Handle, NativeScalar.From(other)));
    public Tensor sub_(Tensor other, double alpha = 1) => InPlace(NativeMethods.lrnn_sub_(Handle, other.Handle, Alpha(alpha)));
    public Tensor sub_(double other) => InPlace(NativeMethods.lrnn_add_scalar_(Handle, NativeScalar.From(-other)));
    public Tensor mul_(Tensor other) => InPlace(NativeMethods.lrnn_mul_(Handle, other.Handle));
    public Tensor mul_(double other) => InPlace(NativeMethods.lrnn_mul_scalar_(Handle, NativeScalar.From(other)));
    public Tensor div_(Tensor other) => InPlace(NativeMethods.lrnn_div_(Handle, other.Handle));
    public Tensor div_(double other) => InPlace(NativeMethods.lrnn_div_scalar_(Handle, NativeScalar.From(other)));
    public Tensor fill_(double value) => InPlace(NativeMethods.lrnn_fill_(Handle, NativeScalar.From(value)));
    public Tensor fill_(long value) => InPlace(NativeMethods.lrnn_fill_(Handle, NativeScalar.From(value)));
    public Tensor fill_(bool value) => InPlace(NativeMethods.lrnn_fill_(Handle, NativeScalar.From(value)));
    public Tensor copy_(Tensor source, bool nonBlocking = false) => InPlace(NativeMethods.lrnn_copy_(Handle, source.Handle, nonBlocking ? 1 : 0));
    public Tensor zero_() => InPlace(NativeMethods.lrnn_zero_(Handle));

    public unsafe Tensor clamp_(double? min = null, double? max = null)
    {
        NativeScalar lo = NativeScalar.From(min.GetValueOrDefault()), hi = NativeScalar.From(max.GetValueOrDefault());
        return InPlace(NativeMethods.lrnn_clamp_(Handle, min.HasValue ? &lo : null, max.HasValue ? &hi : null));
    }

    private Tensor InPlace(int status)
    {
        NativeErrors.Check(status);
        return this;
    }

    // ---- operators ----------------------------------------------------------------------------------------
    // Comparison operators (==, <, ...) are deliberately not overloaded: see Tensor.Comparison.cs.

    // An integer literal binds to the `long` overloads, so `i * 2` stays Int64 and `i * 2.0` is Float32, as in Python.

    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator +(Tensor a, double b) => a.add(b);
    public static Tensor operator +(Tensor a, long b) => a.add(b);
    public static Tensor operator +(double a, Tensor b) => b.add(a);
    public static Tensor operator +(long a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator -(Tensor a, double b) => a.sub(b);
    public static Tensor operator -(Tensor a, long b) => a.sub(b);
    public static Tensor operator -(double a, Tensor b) => FromNative(NativeMethods.lrnn_rsub_scalar(b.Handle, NativeScalar.From(a)));
    public static Tensor operator -(long a, Tensor b) => FromNative(NativeMethods.lrnn_rsub_scalar(b.Handle, NativeScalar.From(a)));
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator *(Tensor a, double b) => a.mul(b);
    public static Tensor operator *(Tensor a, long b) => a.mul(b);
    public static Tensor operator *(double a, Tensor b) => b.mul(a);
    public static Tensor operator *(long a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator /(Tensor a, double b) => a.div(b);
    public static Tensor operator /(double a, Tensor b) => FromNative(NativeMethods.lrnn_rdiv_scalar(b.Handle, NativeScalar.From(a)));
    public static Tensor operator %(Tensor a, Tensor b) => a.remainder(b);
    public static Tensor operator %(Tensor a, double b) => a.remainder(b);
    public static Tensor operator %(Tensor a, long b) => a.remainder(b);
    public static Tensor operator -(Tensor a) => a.neg();
}
