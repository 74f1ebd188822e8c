using Lrnn.Torch;

namespace Lrnn.Modules.Lti;

/// <summary>
/// The Cauchy sum over conjugate pairs that S4's generating function reduces to (lrnnx's <c>cauchy_naive</c>):
/// <code>r_l = Σ_n v_n/(z_l − w_n) + v̄_n/(z_l − w̄_n)      n = 0..N'−1, l = 0..L'−1</code>
/// Only one half of each conjugate pair is stored; the other half is summed here. Materialises the (…, N', L')
/// Cauchy matrix: O(N'·L') memory per batch entry, like lrnnx's naive fallback.
/// </summary>
public static class Cauchy
{
    /// <summary><paramref name="v"/> (…, N') and <paramref name="w"/> (…, N'), broadcastable, at nodes <paramref name="z"/> (L') → (…, L'). Complex.</summary>
    public static Tensor ConjugatePairs(Tensor v, Tensor z, Tensor w)
    {
        using var scope = torch.NewDisposeScope();
        var direct = v.unsqueeze(-1).div(z.sub(w.unsqueeze(-1)));                             // (…, N', L')
        var mirrored = v.conj().unsqueeze(-1).div(z.sub(w.conj().unsqueeze(-1)));            // (…, N', L')
        return direct.add(mirrored).sum(-2).MoveToOuterDisposeScope();
    }
}
