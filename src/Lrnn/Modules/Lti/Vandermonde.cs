using Lrnn.Ops;
using Lrnn.Torch;

namespace Lrnn.Modules.Lti;

/// <summary>
/// Products with the Vandermonde matrices V_h[n, l] = λ_{hn}^l (l = 0..L−1) of H features' N diagonal modes, without
/// materialising V (H, N, L), which is 0.8 GB in complex64 at H = 1536, N = 32, L = 2048. Split l = i·T + j
/// (T = ⌈√L⌉, i &lt; I = ⌈L/T⌉, j &lt; T):
/// <code>
/// λ^l = exp(i·T·log λ) · exp(j·log λ)          outer (H, I, N) · inner (H, N, T)
/// Σ_n w_n λ_n^l  = Σ_n (w_n·outer_{i,n}) · inner_{n,j}     a matmul over n per feature
/// Σ_l v_l λ_n^l  = Σ_i outer_{i,n} · Σ_j v_{iT+j} inner_{n,j}   a matmul over j, then a sum over i
/// </code>
/// Memory O(H·N·√L) besides the result. Each factor is exp of a product, as the direct exp(l·log λ): powers are
/// never built by repeated products, whose rounding would drift the phase over long sequences. Plain differentiable
/// ops: gradients reach the weights, the values and log λ.
/// </summary>
public static class Vandermonde
{
    /// <summary>
    /// Re Σ_n w[..., h, n] · λ[h, n]^l for l = 0..<paramref name="length"/>−1: <paramref name="weights"/> (..., H, N)
    /// complex, <paramref name="logLambda"/> = log λ (H, N) complex → (..., H, L) real, in log λ's real precision.
    /// Without gradients, on CUDA in complex64 (N ≤ 64, L ≤ 2048), one kernel computes the same factorisation
    /// (src/Lrnn.Torch.Native/src/cuda/vandermonde.cu): the dozen ops below cost more in launches than in arithmetic.
    /// <paramref name="atZero"/> (..., H) real, optional, is added at l = 0 (S4D's D skip: in the kernel, no pad and add
    /// of the whole (..., H, L) result).
    /// </summary>
    public static Tensor RealModesToTime(Tensor weights, Tensor logLambda, long length, Tensor? atZero = null)
    {
        // The kernel declines (null) whatever it does not serve, gradients included: one native call decides.
        if (ops.real_modes_to_time_kernel(weights, logLambda, length, atZero) is { } fast) return fast;
        using var scope = torch.NewDisposeScope();
        var (outer, inner) = Factors(logLambda, length);                                       // (H, I, N), (H, N, T)
        var scaled = weights.unsqueeze(-2).mul(outer);                                        // (..., H, I, N)
        // Re(a·b) = Re a·Re b − Im a·Im b: one real matmul of depth 2N gives the real part without the imaginary one.
        var left = torch.cat([scaled.real, scaled.imag], -1);                                // (..., H, I, 2N)
        var right = torch.cat([inner.real, inner.imag.neg()], -2);                           // (H, 2N, T)
        var blocks = left.matmul(right);                                                     // (..., H, I, T): l = i·T + j
        var k = blocks.flatten(-2).narrow(-1, 0, length);                                    // (..., H, L)
        if (atZero is not null) k = k.add(torch.nn.functional.pad(atZero.to(k.dtype).unsqueeze(-1), [0, length - 1]));
        return k.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Σ_l v[g, l, h] · λ[h, n]^l: <paramref name="values"/> (G, L, H) real, <paramref name="logLambda"/> = log λ (H, N)
    /// complex → (G, H, N) complex, in log λ's precision.
    /// </summary>
    public static Tensor TimeToModes(Tensor values, Tensor logLambda)
    {
        using var scope = torch.NewDisposeScope();
        var (groups, length, features) = (values.size(0), values.size(1), values.size(2));
        var (outer, inner) = Factors(logLambda, length);                                       // (H, I, N), (H, N, T)
        var (blockCount, modes, blockLength) = (outer.size(1), inner.size(1), inner.size(2));
        // Zero steps pad L to I·T: they add nothing to the sums.
        var padded = torch.nn.functional.pad(Precision.Cast(values, inner.real.dtype), [0, 0, 0, blockCount * blockLength - length]);
        var blocks = padded.view(groups, blockCount, blockLength, features).permute(3, 0, 1, 2)
            .reshape(features, groups * blockCount, blockLength);                            // (H, G·I, T)
        // v real: v·λ^j = v·Re λ^j + i·v·Im λ^j, both from one real matmul of width 2N.
        var partial = blocks.bmm(torch.cat([inner.real, inner.imag], 1).transpose(1, 2));   // (H, G·I, 2N)
        var sums = torch.complex(partial.narrow(-1, 0, modes), partial.narrow(-1, modes, modes))
            .view(features, groups, blockCount, modes);                                      // (H, G, I, N)
        return sums.mul(outer.unsqueeze(1)).sum(2).permute(1, 0, 2).MoveToOuterDisposeScope();   // (G, H, N)
    }

    /// <summary>exp(i·T·log λ) (H, I, N) and exp(j·log λ) (H, N, T) for L = <paramref name="length"/>.</summary>
    private static (Tensor Outer, Tensor Inner) Factors(Tensor logLambda, long length)
    {
        if (length < 1) throw new ArgumentException($"Vandermonde: length must be ≥ 1, got {length}", nameof(length));
        var blockLength = (long)Math.Ceiling(Math.Sqrt(length));                              // T
        var blockCount = (length + blockLength - 1) / blockLength;                            // I
        var realType = Precision.ComputeType(logLambda.dtype);
        var device = logLambda.device;
        var outer = torch.arange(0, blockCount * blockLength, blockLength, realType, device)
            .unsqueeze(-1).mul(logLambda.unsqueeze(-2)).exp();                               // (H, I, N)
        var inner = logLambda.unsqueeze(-1).mul(torch.arange(blockLength, realType, device)).exp();   // (H, N, T)
        return (outer, inner);
    }
}
