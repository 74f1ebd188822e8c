using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Complex tensors (ComplexFloat32 / ComplexFloat64).
public sealed partial class Tensor
{
    /// <summary>The real part, as a view: writing into it writes into this tensor. A real tensor returns itself.</summary>
    public Tensor real => FromNative(NativeMethods.lrnn_real(Handle));

    /// <summary>The imaginary part, as a view (complex tensors only).</summary>
    public Tensor imag => FromNative(NativeMethods.lrnn_imag(Handle));

    /// <summary>The argument atan2(imag, real), in (-pi, pi]; 0 or pi for real tensors.</summary>
    public Tensor angle() => FromNative(NativeMethods.lrnn_angle(Handle));

    /// <summary>
    /// The complex conjugate, materialised (libtorch's <c>conj_physical</c>): unlike PyTorch's lazy <c>conj()</c>
    /// the values read back, and every view of the result, are conjugated.
    /// </summary>
    public Tensor conj() => FromNative(NativeMethods.lrnn_conj(Handle));
}
