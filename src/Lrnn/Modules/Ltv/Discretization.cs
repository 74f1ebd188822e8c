using Lrnn.Torch;

namespace Lrnn.Modules.Ltv;

/// <summary>
/// Discretisation of a diagonal continuous-time system ḣ = Λh + Bu with step Δ (lrnnx's <c>*_ref</c> scans and
/// kernels; the bilinear form is the correct one, not lrnnx's inverted <c>core/discretization.py</c>):
/// <code>
/// zoh:      Ā = e^{ΔΛ},               γ = (e^{ΔΛ} − 1)/Λ
/// bilinear: Ā = (1 + ½ΔΛ)/(1 − ½ΔΛ),  γ = Δ/(1 − ½ΔΛ)
/// dirac:    Ā = e^{ΔΛ},               γ = 1
/// </code>
/// and B̄ = γB. Event mode discretises Ā with its own step Δ_A (integration timestep × Δ) while γ keeps Δ.
/// </summary>
internal static class Discretization
{
    public static readonly string[] Methods = ["zoh", "bilinear", "dirac"];

    /// <summary>Λ (P) complex, Δ (P) real, Δ_A (..., P) real → Ā (..., P) and γ (P). Call inside a dispose scope.</summary>
    public static (Tensor ABar, Tensor Gamma) Discretize(string method, Tensor lambda, Tensor delta, Tensor deltaA) => method switch
    {
        "zoh" => (deltaA.mul(lambda).exp(), delta.mul(lambda).exp().sub(1.0).div(lambda)),
        "bilinear" => (deltaA.mul(lambda).mul(0.5).add(1.0).div(1.0 - deltaA.mul(lambda).mul(0.5)),
                       delta.div(1.0 - delta.mul(lambda).mul(0.5))),
        "dirac" => (deltaA.mul(lambda).exp(), torch.ones_like(lambda)),
        _ => throw new ArgumentException($"unknown discretization '{method}' (known: {string.Join(", ", Methods)})", nameof(method)),
    };
}
