using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// math.cpp
internal static unsafe partial class NativeMethods
{
    // binary arithmetic
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_add(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_add_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sub(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sub_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_rsub_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_mul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_mul_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_div(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_div_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_rdiv_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_pow(TensorHandle a, TensorHandle exponent);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_pow_scalar(TensorHandle a, NativeScalar exponent);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_rpow_scalar(NativeScalar b, TensorHandle exponent);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_remainder(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_remainder_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_maximum(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_minimum(TensorHandle a, TensorHandle b);

    // unary
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_neg(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_exp(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_log(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_log1p(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_expm1(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sin(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_cos(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sqrt(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_rsqrt(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_abs(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_reciprocal(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sign(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_square(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_floor(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_ceil(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_round(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_clamp(TensorHandle a, NativeScalar* min, NativeScalar* max);

    // comparisons and logic
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_eq(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_eq_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_ne(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_ne_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_lt(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_lt_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_le(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_le_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_gt(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_gt_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_ge(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_ge_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_logical_and(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_logical_or(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_logical_not(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_isnan(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_isinf(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_isfinite(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int lrnn_allclose(TensorHandle a, TensorHandle b, double rtol, double atol, int equalNan);
    [LibraryImport(Lib)] internal static partial int lrnn_equal(TensorHandle a, TensorHandle b);

    // matrix products
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_matmul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_bmm(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_outer(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_addmm(TensorHandle input, TensorHandle m1, TensorHandle m2, NativeScalar beta, NativeScalar alpha);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr lrnn_einsum(string equation, IntPtr* operands, int count);

    // in place
    [LibraryImport(Lib)] internal static partial int lrnn_add_(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial int lrnn_add_scalar_(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial int lrnn_sub_(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial int lrnn_mul_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int lrnn_mul_scalar_(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial int lrnn_div_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int lrnn_div_scalar_(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial int lrnn_fill_(TensorHandle a, NativeScalar value);
    [LibraryImport(Lib)] internal static partial int lrnn_clamp_(TensorHandle a, NativeScalar* min, NativeScalar* max);
    [LibraryImport(Lib)] internal static partial int lrnn_copy_(TensorHandle dst, TensorHandle src, int nonBlocking);
    [LibraryImport(Lib)] internal static partial int lrnn_zero_(TensorHandle a);
}
