using Lrnn.Torch;
using static Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Modules.Lti;

/// <summary>
/// The positivity transforms through which S4 and S4D store A's real and imaginary parts and Δ (lrnnx's
/// <c>param_transform</c> and <c>inv_transform</c>): "none", "exp", "relu", "sigmoid", "softplus".
/// </summary>
public static class S4Transform
{
    public static readonly IReadOnlyList<string> Names = ["none", "exp", "relu", "sigmoid", "softplus"];

    /// <summary>The positive value a stored parameter stands for.</summary>
    public static Tensor Apply(Tensor stored, string transform) => transform switch
    {
        "none" => stored.alias(),
        "exp" => stored.exp(),
        "relu" => stored.relu().add(1e-4),
        "sigmoid" => stored.sigmoid(),
        "softplus" => softplus(stored),
        _ => throw Unknown(transform),
    };

    /// <summary>The stored parameter for positive <paramref name="value"/>, clamped to ≥ 1e-4 first (as lrnnx).</summary>
    public static Tensor Invert(Tensor value, string transform)
    {
        using var v = value.clamp(min: 1e-4);
        return transform switch
        {
            "none" or "relu" => v.clone(),
            "exp" => v.log(),
            "sigmoid" => v.div(v.neg().add(1)).log(),
            "softplus" => v.exp().sub(1).log(),
            _ => throw Unknown(transform),
        };
    }

    private static ArgumentException Unknown(string transform) =>
        new($"unknown transform '{transform}' (known: {string.Join(", ", Names)})", nameof(transform));
}
