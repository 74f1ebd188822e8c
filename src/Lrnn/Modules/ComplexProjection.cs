using Lrnn.Torch;

namespace Lrnn.Modules;

/// <summary>
/// The real ↔ complex projections of the diagonal complex mixers (LRU, S5, S5LTV), each as two real matmuls:
/// <code>
/// into the state:  B u = u B_reᵀ + i·u B_imᵀ          u (..., H) real → (..., N) complex
/// out of it:       Re(C h) = Re h C_reᵀ − Im h C_imᵀ   h (..., N) complex → (..., H) real
/// </code>
/// Under bf16 autocast the matmuls come back in bf16; their results are cast to the compute type first, since
/// complex tensors need float32/float64 parts and the recurrence needs the precision.
/// </summary>
internal static class ComplexProjection
{
    /// <summary>u (..., H) real → (..., N) complex in <paramref name="type"/>'s precision.</summary>
    public static Tensor In(Tensor u, Tensor bRe, Tensor bIm, ScalarType type) =>
        torch.complex(Precision.Cast(u.matmul(bRe.transpose(0, 1)), type), Precision.Cast(u.matmul(bIm.transpose(0, 1)), type));

    /// <summary>h (..., N) complex → Re(C h) (..., H) in <paramref name="type"/>.</summary>
    public static Tensor OutReal(Tensor h, Tensor cRe, Tensor cIm, ScalarType type) =>
        Precision.Cast(torch.real(h).matmul(cRe.transpose(0, 1)), type).sub(Precision.Cast(torch.imag(h).matmul(cIm.transpose(0, 1)), type));
}
