namespace Lrnn.Torch.Modules;

/// <summary>
/// Layer normalisation over the trailing <c>normalized_shape</c> dimensions, with a learned scale (ones) and
/// shift (zeros). Float16/BFloat16 inputs are normalised in float32 and cast back.
/// </summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true,
        ScalarType? dtype = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
            throw new ArgumentException($"LayerNorm needs a non-empty shape of positive sizes, got {Tensor.Dims(normalizedShape)}.", nameof(normalizedShape));
        normalized_shape = (long[])normalizedShape.Clone();
        this.eps = eps;
        if (!elementwiseAffine) return;
        RegisterParameter("weight", torch.ones(normalized_shape, dtype, device));
        if (bias) RegisterParameter("bias", torch.zeros(normalized_shape, dtype, device));
    }

    public LayerNorm(long dim, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true,
        ScalarType? dtype = null, Device? device = null)
        : this([dim], eps, elementwiseAffine, bias, dtype, device)
    {
    }

    public long[] normalized_shape { get; }
    public double eps { get; }

    /// <summary>The scale, shaped like normalized_shape, or null without elementwise affine.</summary>
    public Tensor? weight => GetParameter("weight");

    /// <summary>The shift, shaped like normalized_shape, or null.</summary>
    public Tensor? bias => GetParameter("bias");

    /// <summary>(..., *normalized_shape) → same shape and dtype.</summary>
    public override Tensor forward(Tensor input) => torch.nn.functional.layer_norm(input, normalized_shape, weight, bias, eps);

    public override string ToString() => $"LayerNorm({Tensor.Dims(normalized_shape)}, eps={eps}, elementwise_affine={weight is not null})";
}
