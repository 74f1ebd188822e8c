using System.Numerics;

namespace Lrnn.Modules.Lti;

/// <summary>
/// HiPPO matrices (Gu et al. 2020) and their normal-plus-low-rank (NPLR) form (S4, Gu et al. 2022), as lrnnx's
/// <c>transition</c>, <c>rank_correction</c> and <c>nplr</c> (<c>lrnnx/ops/s4_utils.py</c>). Everything is computed
/// in float64 on the CPU: these are initialisations of at most a few hundred states.
/// Measures: "legs" (scaled Legendre), "legt" (translated Legendre), "fourier" (alias "fout").
/// </summary>
public static class Hippo
{
    /// <summary>The HiPPO transition (A (N, N), B (N)) of <paramref name="measure"/>: dx/dt = A x + B u.</summary>
    public static (double[,] A, double[] B) Transition(string measure, int n)
    {
        var a = new double[n, n];
        var b = new double[n];
        switch (measure)
        {
            case "legs":
                // A_ik = −√(2i+1)√(2k+1) below the diagonal, −(i+1) on it; B_i = √(2i+1).
                for (var i = 0; i < n; i++)
                {
                    b[i] = Math.Sqrt(2 * i + 1);
                    for (var k = 0; k < i; k++) a[i, k] = -Math.Sqrt(2 * i + 1) * Math.Sqrt(2 * k + 1);
                    a[i, i] = -(i + 1);
                }
                break;
            case "legt":
                // A_ik = −½ R_i R_k (−1)^{i−k} above the diagonal, −½ R_i R_k elsewhere; B_i = ½ R_i, R_i = √(2i+1).
                for (var i = 0; i < n; i++)
                {
                    b[i] = 0.5 * Math.Sqrt(2 * i + 1);
                    for (var k = 0; k < n; k++)
                        a[i, k] = -0.5 * Math.Sqrt(2 * i + 1) * Math.Sqrt(2 * k + 1) * (i < k && (k - i) % 2 == 1 ? -1 : 1);
                }
                break;
            case "fourier" or "fout":
                // Rotations at frequencies πk between the state pairs (2k, 2k+1), minus the rank-one B Bᵀ.
                var d = new double[Math.Max(n - 1, 0)];
                for (var j = 1; j < n; j++) d[j - 1] = j % 2 == 1 ? (j - 1) / 2 : 0;
                for (var j = 0; j < n - 1; j++)
                {
                    a[j, j + 1] = -Math.PI * d[j];
                    a[j + 1, j] = Math.PI * d[j];
                }
                for (var i = 0; i < n; i += 2) b[i] = Math.Sqrt(2);
                if (n > 0) b[0] = 1;
                for (var i = 0; i < n; i++)
                    for (var k = 0; k < n; k++) a[i, k] -= b[i] * b[k];
                break;
            default:
                throw new ArgumentException($"unknown HiPPO measure '{measure}' (known: legs, legt, fourier, fout)", nameof(measure));
        }
        return (a, b);
    }

    /// <summary>P (rank, N) such that A + P Pᵀ is normal (diagonal plus skew-symmetric), zero-padded to <paramref name="rank"/> rows.</summary>
    public static double[,] RankCorrection(string measure, int n, int rank)
    {
        var rows = new List<double[]>();
        switch (measure)
        {
            case "legs":
                rows.Add(Enumerable.Range(0, n).Select(i => Math.Sqrt(0.5 + i)).ToArray());
                break;
            case "legt":
                if (rank < 2) throw new ArgumentException("the legt measure needs rank ≥ 2", nameof(rank));
                rows.Add(Enumerable.Range(0, n).Select(i => i % 2 == 0 ? 0 : Math.Sqrt(1 + 2 * i) / Math.Sqrt(2)).ToArray());
                rows.Add(Enumerable.Range(0, n).Select(i => i % 2 == 1 ? 0 : Math.Sqrt(1 + 2 * i) / Math.Sqrt(2)).ToArray());
                break;
            case "fourier" or "fout":
                rows.Add(Enumerable.Range(0, n).Select(i => i == 0 ? 1 : i % 2 == 0 ? Math.Sqrt(2) : 0).ToArray());
                break;
            default:
                throw new ArgumentException($"unknown HiPPO measure '{measure}'", nameof(measure));
        }
        if (rank < 1) throw new ArgumentException($"rank must be ≥ 1, got {rank}", nameof(rank));
        var p = new double[Math.Max(rank, rows.Count), n];
        for (var r = 0; r < rows.Count; r++)
            for (var i = 0; i < n; i++) p[r, i] = rows[r][i];
        return p;
    }

    /// <summary>
    /// The NPLR form of HiPPO <paramref name="measure"/>: A = V (diag(W) − P Pᴴ) Vᴴ and B = V B̃ over the N/2
    /// eigenvalues W with negative imaginary part (the others are their conjugates). Returns W (N/2), P (rank, N/2),
    /// B (N/2) with Im B clipped to ±<paramref name="bClip"/> (as lrnnx, null: no clip) and V (N, N/2).
    /// The eigenvectors' phases are fixed by making each one's first non-zero component real and positive
    /// (LAPACK, used by lrnnx, fixes them only up to sign; a sign flip of an eigenvector flips B̃ and P̃ and
    /// commutes with the clip, so the two initialisations describe the same SSMs).
    /// </summary>
    public static (Complex[] W, Complex[,] P, Complex[] B, Complex[,] V) Nplr(string measure, int n, int rank = 1, double? bClip = 2.0)
    {
        if (n < 2 || n % 2 != 0) throw new ArgumentException($"the NPLR form needs an even state size ≥ 2, got {n}", nameof(n));
        var (a, b) = Transition(measure, n);
        var p = RankCorrection(measure, n, rank);
        var ranks = p.GetLength(0);

        // AP = A + Σ_r P_r P_rᵀ: W_re I plus a skew-symmetric part S.
        var ap = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var k = 0; k < n; k++)
            {
                ap[i, k] = a[i, k];
                for (var r = 0; r < ranks; r++) ap[i, k] += p[r, i] * p[r, k];
            }
        var wRe = Enumerable.Range(0, n).Average(i => ap[i, i]);

        // eigh(−i·AP) reads the lower triangle (and the real part of the diagonal) of a Hermitian matrix.
        var hermitian = new Complex[n, n];
        for (var i = 0; i < n; i++)
            for (var k = 0; k < i; k++)
            {
                hermitian[i, k] = new Complex(0, -ap[i, k]);
                hermitian[k, i] = Complex.Conjugate(hermitian[i, k]);
            }
        var (values, vectors) = HermitianEigen(hermitian);

        // Keep the half with Im W < 0 (ascending order), the conjugates of the other half.
        var half = n / 2;
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).Take(half).ToArray();
        var w = order.Select(i => new Complex(wRe, values[i])).ToArray();
        var v = new Complex[n, half];
        for (var j = 0; j < half; j++)
            for (var i = 0; i < n; i++) v[i, j] = vectors[i, order[j]];
        if (half >= 2 && w[half - 2].Magnitude <= 1e-4)
            throw new InvalidOperationException("NPLR: only one zero eigenvalue is allowed in the diagonal part of A");
        if (w[half - 1].Magnitude < 1e-4)
        {
            // A zero eigenvalue has no conjugate partner: give it a unit vector in the first two coordinates.
            for (var i = 0; i < n; i++) v[i, half - 1] = Complex.Zero;
            v[0, half - 1] = Math.Sqrt(0.5);
            v[1, half - 1] = new Complex(0, Math.Sqrt(0.5));
        }

        // B̃ = Vᴴ B, P̃ = Vᴴ P.
        var bt = new Complex[half];
        var pt = new Complex[ranks, half];
        for (var j = 0; j < half; j++)
        {
            for (var i = 0; i < n; i++)
            {
                var vc = Complex.Conjugate(v[i, j]);
                bt[j] += vc * b[i];
                for (var r = 0; r < ranks; r++) pt[r, j] += vc * p[r, i];
            }
            if (bClip is { } clip) bt[j] = new Complex(bt[j].Real, Math.Clamp(bt[j].Imaginary, -clip, clip));
        }
        return (w, pt, bt, v);
    }

    /// <summary>
    /// Eigenvalues (ascending is not guaranteed) and orthonormal eigenvectors (columns) of a Hermitian matrix, by
    /// cyclic complex Jacobi rotations: slow (O(N³) per sweep) but exact to round-off, and enough for initialisation.
    /// </summary>
    internal static (double[] Values, Complex[,] Vectors) HermitianEigen(Complex[,] matrix)
    {
        var n = matrix.GetLength(0);
        var m = (Complex[,])matrix.Clone();
        var v = new Complex[n, n];
        for (var i = 0; i < n; i++) v[i, i] = Complex.One;
        double total = 0;
        foreach (var x in m) total += x.Magnitude * x.Magnitude;
        var tolerance = 1e-30 * Math.Max(total, 1e-300);

        for (var sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (var i = 0; i < n; i++)
                for (var k = 0; k < n; k++)
                    if (i != k) off += m[i, k].Magnitude * m[i, k].Magnitude;
            if (off <= tolerance) break;
            for (var pIdx = 0; pIdx < n - 1; pIdx++)
                for (var q = pIdx + 1; q < n; q++)
                {
                    var beta = m[pIdx, q];
                    var magnitude = beta.Magnitude;
                    if (magnitude < 1e-300) continue;
                    // G = diag(1, e^{−iφ})·J: the phase makes the pivot real, the real rotation J zeroes it.
                    var phase = Complex.FromPolarCoordinates(1, -beta.Phase);
                    var tau = (m[q, q].Real - m[pIdx, pIdx].Real) / (2 * magnitude);
                    var t = (tau >= 0 ? 1 : -1) / (Math.Abs(tau) + Math.Sqrt(1 + tau * tau));
                    var c = 1 / Math.Sqrt(1 + t * t);
                    var s = t * c;
                    Complex gpp = c, gpq = s, gqp = -s * phase, gqq = c * phase;
                    for (var k = 0; k < n; k++)
                    {
                        var (mkp, mkq) = (m[k, pIdx], m[k, q]);
                        m[k, pIdx] = mkp * gpp + mkq * gqp;
                        m[k, q] = mkp * gpq + mkq * gqq;
                        var (vkp, vkq) = (v[k, pIdx], v[k, q]);
                        v[k, pIdx] = vkp * gpp + vkq * gqp;
                        v[k, q] = vkp * gpq + vkq * gqq;
                    }
                    for (var k = 0; k < n; k++)
                    {
                        var (mpk, mqk) = (m[pIdx, k], m[q, k]);
                        m[pIdx, k] = Complex.Conjugate(gpp) * mpk + Complex.Conjugate(gqp) * mqk;
                        m[q, k] = Complex.Conjugate(gpq) * mpk + Complex.Conjugate(gqq) * mqk;
                    }
                }
        }

        for (var j = 0; j < n; j++)
        {
            var first = 0;
            while (first < n - 1 && v[first, j].Magnitude < 1e-8) first++;
            var unit = Complex.FromPolarCoordinates(1, -v[first, j].Phase);
            for (var i = 0; i < n; i++) v[i, j] *= unit;
        }
        return (Enumerable.Range(0, n).Select(i => m[i, i].Real).ToArray(), v);
    }
}
