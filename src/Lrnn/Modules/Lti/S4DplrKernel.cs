using Lrnn.Torch;

namespace Lrnn.Modules.Lti;

/// <summary>
/// The maths of S4's diagonal-plus-low-rank SSM (Gu et al. 2022; lrnnx's <c>SSMKernelDPLR</c>): per feature,
/// A = Λ − P Qᴴ with Q = P, discretised by the bilinear transform. Only one half of each conjugate pair is stored
/// (Λ, B, C, P: N' = N/2 entries); the dense recurrence runs in the full basis of M = 2N' states
/// [x, x̄] (see <see cref="Conjugated"/>), where every real input keeps the state conjugate-symmetric.
/// <code>
/// Ā = (2/Δ − A)⁻¹ (2/Δ + A),   B̄ = 2 (2/Δ − A)⁻¹ B                 (bilinear, dense, Woodbury for the inverse)
/// K̂(ω_k) = C̃ᵀ (I − Āω_k)⁻¹ B̄,  ω_k = e^{−2πik/L}                   (C̃ = (I − Ā^L)ᵀ C: truncated generating function)
///        = 2/(1+ω) · [r_BC − r_BQ (I + r_PQ)⁻¹ r_PC](z),  z = 2(1−ω)/(1+ω),  r_XY = Σ X Y Δ/(z − ΔΛ) over both halves
/// K = irfft(K̂, L)
/// </code>
/// Call every method inside a dispose scope.
/// </summary>
public static class S4DplrKernel
{
    /// <summary>The full-basis vector [x, x̄] of the stored half <paramref name="half"/> (…, N') → (…, 2N'); real tensors are repeated.</summary>
    public static Tensor Conjugated(Tensor half) => torch.cat([half, half.dtype.IsComplex() ? half.conj() : half], -1);

    /// <summary>
    /// The convolution kernel over <paramref name="length"/> taps, (channels, H, L) real, from Δ (H, 1|N'), Λ (H, N'),
    /// B (H, N'), C̃ (channels, H, N') and P (rank, H, N'). <paramref name="length"/> must be the length C̃ was set up for.
    /// </summary>
    public static Tensor Kernel(Tensor dt, Tensor lambda, Tensor b, Tensor cTilde, Tensor p, long length)
    {
        // Roots of unity ω_k, k = 0..L/2, as rfft's frequencies. cos/sin in float64 keep 1 + ω ≠ 0 at the Nyquist
        // frequency of an even L (1 + ω = 1.2e-16·i): z and 2/(1+ω) are huge there but finite, and their ratio exact.
        var angle = torch.arange(length / 2 + 1, ScalarType.Float64).mul(-2 * Math.PI / length);
        var omega = torch.complex(angle.cos(), angle.sin()).to(lambda.dtype, lambda.device);   // (L')
        var z = omega.neg().add(1).mul(2).div(omega.add(1));                                   // (L')

        // Rows B, P (the right factors) and columns C̃, Q (the left factors) batched into one Cauchy sum.
        var rights = torch.cat([b.unsqueeze(0), p], 0);                                        // (1+R, H, N')
        var lefts = torch.cat([cTilde, p.conj()], 0);                                          // (C+R, H, N')
        var v = rights.unsqueeze(1).mul(lefts.unsqueeze(0)).mul(dt);                           // (1+R, C+R, H, N')
        var r = Cauchy.ConjugatePairs(v, z, lambda.mul(dt));                                   // (1+R, C+R, H, L')
        var spectrum = LowRankCorrection(r, cTilde.size(0), p.size(0)).mul(omega.add(1).reciprocal().mul(2));
        return torch.fft.irfft(spectrum, length);                                              // (C, H, L)
    }

    /// <summary>
    /// The Woodbury correction r_BC − r_BQ (I + r_PQ)⁻¹ r_PC, as the Schur complement of the block I + r_PQ,
    /// eliminated one rank at a time (for rank 1: r_BC − r_BQ r_PC / (1 + r_PQ), lrnnx's formula).
    /// </summary>
    private static Tensor LowRankCorrection(Tensor r, long channels, long rank)
    {
        // I on the (P_j, Q_j) pivots: eye(R) placed in the bottom-right corner of the (1+R, C+R) grid.
        var identity = torch.nn.functional.pad(torch.eye(rank, dtype: ScalarType.Float64, device: r.device), [channels, 0, 1, 0]);
        var g = r.add(identity.to(r.dtype).unsqueeze(-1).unsqueeze(-1));                       // (1+R, C+R, H, L')
        for (var j = rank - 1; j >= 0; j--)
        {
            var (rows, cols) = (1 + j, channels + j);
            var pivotRow = g.select(0, rows).narrow(0, 0, cols);                               // (cols, H, L')
            var pivotColumn = g.select(1, cols).narrow(0, 0, rows);                            // (rows, H, L')
            var pivot = g.select(0, rows).select(0, cols);                                     // (H, L')
            g = g.narrow(0, 0, rows).narrow(1, 0, cols)
                 .sub(pivotColumn.unsqueeze(1).mul(pivotRow.unsqueeze(0)).div(pivot));
        }
        return g.select(0, 0);                                                                 // (C, H, L')
    }

    /// <summary>
    /// The dense bilinear discretisation in the full basis: Ā (H, M, M) acting on column states and B̄ (H, M), from
    /// Δ (H, 1|N'), Λ (H, N'), B (H, N'), P (rank, H, N'). (2/Δ − A)⁻¹ = (diag(2/Δ − Λ) + Σ_r p_r q_rᵀ)⁻¹ is built
    /// from the diagonal inverse by one Sherman–Morrison (rank-one Woodbury) update per rank: no dense solve.
    /// </summary>
    public static (Tensor A, Tensor B) Bilinear(Tensor dt, Tensor lambda, Tensor b, Tensor p)
    {
        var lam = Conjugated(lambda);                                                          // (H, M)
        var pFull = Conjugated(p);                                                             // (R, H, M)
        var qFull = pFull.conj();
        var twoOverDt = (dt.size(-1) == 1 ? dt : Conjugated(dt)).reciprocal().mul(2);          // (H, 1|M)
        var eye = torch.eye(lam.size(-1), dtype: lam.dtype, device: lam.device);               // (M, M)

        var forward = eye.mul(lam.add(twoOverDt).unsqueeze(-1))
                         .sub(torch.einsum("rhm,rhn->hmn", pFull, qFull));                      // 2/Δ + A  (H, M, M)
        var inverse = eye.mul(lam.neg().add(twoOverDt).reciprocal().unsqueeze(-1));           // diag(2/Δ − Λ)⁻¹
        for (var j = 0; j < p.size(0); j++)
        {
            var (pj, qj) = (pFull.select(0, j), qFull.select(0, j));                           // (H, M)
            var inverseP = torch.einsum("hmn,hn->hm", inverse, pj);
            var qInverse = torch.einsum("hm,hmn->hn", qj, inverse);
            var denominator = qj.mul(inverseP).sum(-1, keepdim: true).add(1).unsqueeze(-1);    // (H, 1, 1)
            inverse = inverse.sub(inverseP.unsqueeze(-1).mul(qInverse.unsqueeze(-2)).div(denominator));
        }
        return (inverse.matmul(forward), torch.einsum("hmn,hn->hm", inverse, Conjugated(b)).mul(2));
    }

    /// <summary><paramref name="a"/>^<paramref name="exponent"/> for a batch of square matrices (…, M, M), by repeated squaring.</summary>
    public static Tensor MatrixPower(Tensor a, long exponent)
    {
        if (exponent < 0) throw new ArgumentOutOfRangeException(nameof(exponent), exponent, "must be ≥ 0");
        var result = torch.eye(a.size(-1), dtype: a.dtype, device: a.device).expand(a.shape);
        for (var square = a; exponent > 0; exponent >>= 1)
        {
            if ((exponent & 1) != 0) result = result.matmul(square);
            if (exponent > 1) square = square.matmul(square);
        }
        return result;
    }

    /// <summary>
    /// The output row C (channels, H, M) from the stored C̃ (full basis) and the length it was set up for:
    /// C = (I − (Ā^L)ᵀ)⁻¹ C̃ (lrnnx's <c>solve</c>), as the Neumann product Π_k (I + X^{2^k}) C̃, X = (Ā^L)ᵀ, which
    /// converges because Ā is stable; it stops once X^{2^k} is below the precision's epsilon.
    /// <paramref name="length"/> 0: C̃ is still C.
    /// </summary>
    public static Tensor OutputRow(Tensor dA, Tensor cTilde, long length)
    {
        if (length == 0) return cTilde;
        var epsilon = dA.dtype == ScalarType.ComplexFloat64 ? 1e-16 : 1e-8;
        var x = MatrixPower(dA, length).transpose(-1, -2);                                    // (H, M, M)
        var c = cTilde;
        for (var k = 0; k < 64; k++)
        {
            c = c.add(torch.einsum("hmn,chn->chm", x, c));
            x = x.matmul(x);
            using var largest = x.abs().max();
            if (largest.item<double>() <= epsilon) break;
        }
        return c;
    }

    /// <summary>
    /// h_L = Ā^L h_0 + Σ_t Ā^{L−1−t} B̄ u_t for <paramref name="sequence"/> = [h_0, B̄u_0, …, B̄u_{L−1}] (B, L+1, H, M):
    /// a tree reduction (zero-padded in front to a power of two, which changes nothing) whose level k joins
    /// neighbouring blocks of 2^k steps as Ā^{2^k}·left + right: log₂ L levels, Ā^{2^k} by squaring.
    /// </summary>
    public static Tensor FinalState(Tensor dA, Tensor sequence)
    {
        var x = sequence;                                                                      // (B, L+1, H, M)
        var (batch, count, features, states) = (x.size(0), x.size(1), x.size(2), x.size(3));
        var padded = 1L;
        while (padded < count) padded *= 2;
        if (padded > count) x = torch.cat([torch.zeros([batch, padded - count, features, states], x.dtype, x.device), x], 1);
        var power = dA;                                                                        // Ā^{2^k}
        while (x.size(1) > 1)
        {
            var pairs = x.reshape(batch, x.size(1) / 2, 2, features, states);
            x = torch.einsum("hmn,bihn->bihm", power, pairs.select(2, 0)).add(pairs.select(2, 1));
            if (x.size(1) > 1) power = power.matmul(power);
        }
        return x.select(1, 0);                                                                 // (B, H, M)
    }

    /// <summary>Ā^{t+1} h_0 for t = 0..L−1, (B, L, H, M), by doubling: [S, Ā^{|S|} S] with Ā^{|S|} squared each round.</summary>
    public static Tensor FreeResponse(Tensor dA, Tensor h0, long length)
    {
        var states = torch.einsum("hmn,bhn->bhm", dA, h0).unsqueeze(1);                       // (B, 1, H, M)
        var power = dA;
        while (states.size(1) < length)
        {
            states = torch.cat([states, torch.einsum("hmn,bihn->bihm", power, states)], 1);
            power = power.matmul(power);
        }
        return states.narrow(1, 0, length);
    }
}
