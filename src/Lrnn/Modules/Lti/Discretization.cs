using Lrnn.Torch;

namespace Lrnn.Modules.Lti;

/// <summary>How a continuous-time diagonal system x' = Ax + Bu becomes the discrete h_t = Āh_{t−1} + γB u_t (lrnnx's names).</summary>
public enum DiscretizationMethod
{
    /// <summary>Zero-order hold: Ā = e^{ΔA}, γ = (Ā − 1)/A.</summary>
    Zoh,

    /// <summary>Bilinear (Tustin): Ā = (1 + ½ΔA)/(1 − ½ΔA), γ = Δ/(1 − ½ΔA).</summary>
    Bilinear,

    /// <summary>Dirac input (event-based S5): Ā = e^{ΔA}, γ = 1.</summary>
    Dirac,

    /// <summary>A is already discrete: Ā = A, γ = 1 (Δ unused).</summary>
    NoDiscretization,
}

/// <summary>
/// The discretisations of a diagonal complex A that lrnnx's <c>lrnnx/core/discretization.py</c> offers to the LTI
/// mixers. Besides Ā and γ it returns log Ā, so that kernels are computed as Ā^l = exp(l·log Ā) (accurate for any
/// l, never a product of l factors); for zoh and dirac log Ā = ΔA exactly.
/// <para>
/// Bilinear differs from lrnnx on purpose: lrnnx computes Ā = (1 + ½ΔA)⁻¹(1 − ½ΔA), the inverse of the Tustin map,
/// so |Ā| &gt; 1 whenever Re A &lt; 0 and its S5 diverges (its own tests note that only zoh is stable for S5). The
/// Tustin map used here, the one lrnnx's CUDA kernels and reference scans use, maps the left half-plane into the
/// unit disc. Weights trained with lrnnx's bilinear S5 therefore do not reproduce lrnnx's (divergent) outputs.
/// </para>
/// </summary>
public static class Discretization
{
    /// <summary>lrnnx's names, in <see cref="DiscretizationMethod"/> order.</summary>
    public static readonly IReadOnlyList<string> Names = ["zoh", "bilinear", "dirac", "no_discretization"];

    public static DiscretizationMethod Parse(string name)
    {
        var index = Names.ToList().IndexOf(name);
        return index >= 0
            ? (DiscretizationMethod)index
            : throw new ArgumentException($"unknown discretization '{name}' (known: {string.Join(", ", Names)})", nameof(name));
    }

    /// <summary>Ā, log Ā and γ, each (N) complex.</summary>
    public sealed record Discrete(Tensor ABar, Tensor LogABar, Tensor Gamma);

    /// <summary>
    /// <paramref name="a"/> (N) complex, <paramref name="dt"/> (N) real of the matching precision (or any shapes that
    /// broadcast, as S4D's (H, N') and (H, 1)) → Ā, log Ā, γ complex. Event mode (S5LTV's integration timesteps):
    /// <paramref name="stepDt"/> Δ_A (..., N) is the step Ā takes, while γ keeps Δ. Call inside a dispose scope: the
    /// results and their temporaries belong to it.
    /// </summary>
    public static Discrete Apply(DiscretizationMethod method, Tensor a, Tensor dt, Tensor? stepDt = null)
    {
        var dtA = a.mul(dt);                                                            // (N) complex
        var stepA = stepDt is null ? dtA : a.mul(stepDt);                               // Δ_A·A: Ā's exponent
        switch (method)
        {
            case DiscretizationMethod.Zoh:
            {
                var aBar = stepA.exp();
                return new Discrete(aBar, stepA, (stepDt is null ? aBar : dtA.exp()).sub(1.0).div(a));
            }
            case DiscretizationMethod.Bilinear:
            {
                var denominator = 1.0 - dtA.mul(0.5);                                   // 1 − ½ΔA
                var aBar = stepDt is null ? dtA.mul(0.5).add(1.0).div(denominator) : stepA.mul(0.5).add(1.0).div(1.0 - stepA.mul(0.5));
                return new Discrete(aBar, aBar.log(), dt.div(denominator));
            }
            case DiscretizationMethod.Dirac:
                return new Discrete(stepA.exp(), stepA, torch.ones_like(a));
            case DiscretizationMethod.NoDiscretization:
                return new Discrete(a, a.log(), torch.ones_like(a));
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, null);
        }
    }
}
