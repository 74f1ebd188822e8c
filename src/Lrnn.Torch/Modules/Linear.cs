namespace Lrnn.Torch.Modules;

/// <summary>
/// y = x·Wᵀ + b: (..., in_features) → (..., out_features). PyTorch's initialisation: W and b ~ U(±1/√in_features)
/// (kaiming_uniform with a = √5).
/// </summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long inFeatures, long outFeatures, bool bias = true, ScalarType? dtype = null, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        in_features = inFeatures;
        out_features = outFeatures;
        torch.nn.init.kaiming_uniform_(RegisterParameter("weight", torch.empty([outFeatures, inFeatures], dtype, device)), Math.Sqrt(5));
        if (bias)
        {
            var bound = 1 / Math.Sqrt(inFeatures);
            torch.nn.init.uniform_(RegisterParameter("bias", torch.empty([outFeatures], dtype, device)), -bound, bound);
        }
    }

    public long in_features { get; }
    public long out_features { get; }

    /// <summary>(out_features, in_features). Setting it ties this layer to another module's tensor (<see cref="Module.SetParameter"/>).</summary>
    public Tensor weight
    {
        get => GetParameter("weight")!;
        set => SetParameter("weight", value);
    }

    /// <summary>(out_features), or null when built with bias: false.</summary>
    public Tensor? bias => GetParameter("bias");

    /// <summary>(..., in_features) → (..., out_features); a wrong last dimension throws an ArgumentException naming both shapes.</summary>
    public override Tensor forward(Tensor input) => torch.nn.functional.linear(input, weight, bias);

    public override string ToString() => $"Linear(in_features={in_features}, out_features={out_features}, bias={bias is not null})";
}
