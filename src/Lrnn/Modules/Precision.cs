using Lrnn.Torch;

namespace Lrnn.Modules;

/// <summary>
/// The precision every recurrent mixer computes its state in: float64 for float64 models, float32 otherwise
/// (bf16/f16 decays raised to long products, kernels and FFTs lose all accuracy; projections stay in the model's dtype).
/// </summary>
internal static class Precision
{
    public static ScalarType ComputeType(ScalarType modelType) => modelType == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    public static ScalarType ComplexType(ScalarType modelType) => modelType == ScalarType.Float64 ? ScalarType.ComplexFloat64 : ScalarType.ComplexFloat32;

    /// <summary>t in <paramref name="type"/>: the same tensor object when it already is (callers work inside dispose scopes).</summary>
    public static Tensor Cast(Tensor t, ScalarType type) => t.dtype == type ? t : t.to(type);
}
