namespace Lrnn.Torch.Modules;

/// <summary>
/// Root-mean-square normalisation over the last dimension: y = x·rsqrt(mean(x², −1) + eps)·weight, with weight
/// initialised to ones. Float16/BFloat16 inputs are computed in float32 and cast back.
/// </summary>
public sealed class RMSNorm : Module<Tensor, Tensor>
{
    public RMSNorm(long dim, double eps = 1e-5, ScalarType? dtype = null, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        this.dim = dim;
        this.eps = eps;
        RegisterParameter("weight", torch.ones([dim], dtype, device));
    }

    public long dim { get; }
    public double eps { get; }

    /// <summary>(dim).</summary>
    public Tensor weight => GetParameter("weight")!;

    /// <summary>(..., dim) → same shape and dtype.</summary>
    public override Tensor forward(Tensor input) => torch.nn.functional.rms_norm(input, weight, eps);

    public override string ToString() => $"RMSNorm({dim}, eps={eps})";
}
