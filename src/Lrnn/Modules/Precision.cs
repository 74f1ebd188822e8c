using Lrnn.Torch;

namespace Lrnn.Modules;

/// <summary>
/// The precision every recurrent mixer computes its state in: float64 for float64 models, float32 otherwise
/// (bf16/f16 decays raised to long products, kernels and FFTs lose all accuracy; projections stay in the model's dtype).
/// </summary>
internal static class Precision
{
    /// <summary>float64 for float64 and complex128 tensors, float32 otherwise (real or complex input).</summary>
    public static ScalarType ComputeType(ScalarType type) => IsDouble(type) ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>complex128 for float64 and complex128 tensors, complex64 otherwise (real or complex input).</summary>
    public static ScalarType ComplexType(ScalarType type) => IsDouble(type) ? ScalarType.ComplexFloat64 : ScalarType.ComplexFloat32;

    private static bool IsDouble(ScalarType type) => type is ScalarType.Float64 or ScalarType.ComplexFloat64;

    /// <summary>t in <paramref name="type"/>: the same tensor object when it already is (callers work inside dispose scopes).</summary>
    public static Tensor Cast(Tensor t, ScalarType type) => t.dtype == type ? t : t.to(type);
}
