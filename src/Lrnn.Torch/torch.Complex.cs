using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Building complex tensors and viewing them as pairs of reals.
public static partial class torch
{
    /// <summary><c>real + i imag</c>; both Float32 (→ ComplexFloat32) or both Float64 (→ ComplexFloat64).</summary>
    public static Tensor complex(Tensor real, Tensor imag) => Tensor.FromNative(NativeMethods.lrnn_complex(real.Handle, imag.Handle));

    /// <summary><c>abs · (cos angle + i sin angle)</c>.</summary>
    public static Tensor polar(Tensor abs, Tensor angle) => Tensor.FromNative(NativeMethods.lrnn_polar(abs.Handle, angle.Handle));

    public static Tensor real(Tensor input) => input.real;
    public static Tensor imag(Tensor input) => input.imag;
    public static Tensor angle(Tensor input) => input.angle();
    public static Tensor conj(Tensor input) => input.conj();

    /// <summary>A real view of shape (..., 2) holding (real, imag) pairs of a complex tensor.</summary>
    public static Tensor view_as_real(Tensor input) => Tensor.FromNative(NativeMethods.lrnn_view_as_real(input.Handle));

    /// <summary>The inverse of <see cref="view_as_real"/>: a complex view of a real tensor whose last dimension is 2.</summary>
    public static Tensor view_as_complex(Tensor input)
    {
        var shape = input.shape;
        if (shape.Length == 0 || shape[^1] != 2)
            throw new ArgumentException($"view_as_complex needs a last dimension of size 2, got shape {Tensor.Dims(shape)}.", nameof(input));
        return Tensor.FromNative(NativeMethods.lrnn_view_as_complex(input.Handle));
    }
}
