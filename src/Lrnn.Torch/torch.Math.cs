using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Math functions that read best as torch.f(a, b): several operands, or a scalar first operand.
public static partial class torch
{
    /// <summary><paramref name="base"/> raised to each element of <paramref name="exponent"/>.</summary>
    public static Tensor pow(double @base, Tensor exponent) =>
        Tensor.FromNative(NativeMethods.lrnn_rpow_scalar(NativeScalar.From(@base), exponent.Handle));

    public static Tensor pow(Tensor input, Tensor exponent) => input.pow(exponent);
    public static Tensor pow(Tensor input, double exponent) => input.pow(exponent);
    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor bmm(Tensor a, Tensor b) => a.bmm(b);
    public static Tensor outer(Tensor a, Tensor b) => a.outer(b);
    public static Tensor addmm(Tensor input, Tensor m1, Tensor m2, double beta = 1, double alpha = 1) => input.addmm(m1, m2, beta, alpha);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static bool allclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) => a.allclose(b, rtol, atol, equal_nan);
    public static bool equal(Tensor a, Tensor b) => a.equal(b);

    /// <summary>
    /// Einstein summation, e.g. <c>torch.einsum("bhld,bhmd->bhlm", q, k)</c>. The operand list lives on the stack
    /// (params span), so a call allocates nothing managed besides the result.
    /// </summary>
    public static unsafe Tensor einsum(string equation, params ReadOnlySpan<Tensor> operands)
    {
        ArgumentNullException.ThrowIfNull(equation);
        const int StackLimit = 16;
        Span<IntPtr> handles = operands.Length <= StackLimit ? stackalloc IntPtr[StackLimit] : new IntPtr[operands.Length];
        for (var k = 0; k < operands.Length; k++) handles[k] = operands[k].Handle.DangerousGetHandle();
        IntPtr result;
        fixed (IntPtr* p = handles) result = NativeMethods.lrnn_einsum(equation, p, operands.Length);
        // The raw handles above are only valid while their owners are alive.
        foreach (var t in operands) GC.KeepAlive(t);
        return Tensor.FromNative(result);
    }
}
