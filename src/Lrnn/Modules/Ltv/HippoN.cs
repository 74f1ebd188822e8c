using System.Numerics;

namespace Lrnn.Modules.Ltv;

/// <summary>
/// The diagonalised HiPPO-N matrix of S5 (Smith et al. 2023, lrnnx's <c>make_DPLR_HiPPO</c>): the normal part of
/// HiPPO-LegS, S = A + ppᵀ with p_n = √(n + ½), is −½·I plus a real skew-symmetric matrix; its eigenvalues are
/// Λ = −½ + i·ω with ω the eigenvalues of the Hermitian −i(S + ½I), ascending (numpy's eigh order), and V its
/// unitary eigenvectors (so V⁻¹ = Vᴴ). Computed once per layer on the CPU in float64 by cyclic complex Jacobi
/// rotations (the binding has no eigh); N is a state size, so O(N³) per sweep is nothing.
/// </summary>
internal static class HippoN
{
    /// <summary>Λ (N) and V (N×N, V[row, column], column k the eigenvector of Λ_k), Λ sorted by ascending imaginary part.</summary>
    public static (Complex[] Lambda, Complex[,] V) Diagonalise(int n)
    {
        // −i·S_skew: S_skew[j, k] = −½·P_j P_k below the diagonal, +½·P_j P_k above, with P_j = √(2j + 1).
        var m = new Complex[n, n];
        for (var j = 0; j < n; j++)
        for (var k = 0; k < j; k++)
        {
            var s = 0.5 * Math.Sqrt((2.0 * j + 1) * (2.0 * k + 1));
            m[j, k] = new Complex(0, s);        // −i · (−s)
            m[k, j] = new Complex(0, -s);       // −i · (+s)
        }
        var (omega, v) = EigenHermitian(m);
        var order = Enumerable.Range(0, n).OrderBy(k => omega[k]).ToArray();
        var lambda = order.Select(k => new Complex(-0.5, omega[k])).ToArray();
        var sorted = new Complex[n, n];
        for (var row = 0; row < n; row++)
        for (var col = 0; col < n; col++)
            sorted[row, col] = v[row, order[col]];
        return (lambda, sorted);
    }

    /// <summary>
    /// Eigenvalues and eigenvectors of a Hermitian matrix by cyclic Jacobi: each rotation first turns the pivot a_pq real
    /// with a phase on column q, then zeroes it with a real Givens rotation. Converges quadratically; A is overwritten.
    /// </summary>
    private static (double[] Values, Complex[,] Vectors) EigenHermitian(Complex[,] a)
    {
        var n = a.GetLength(0);
        var v = new Complex[n, n];
        for (var i = 0; i < n; i++) v[i, i] = Complex.One;
        for (var sweep = 0; sweep < 100; sweep++)
        {
            var off = 0.0;
            for (var p = 0; p < n; p++)
            for (var q = p + 1; q < n; q++)
                off += a[p, q].Magnitude * a[p, q].Magnitude;
            if (off < 1e-26) break;
            for (var p = 0; p < n; p++)
            for (var q = p + 1; q < n; q++)
            {
                var r = a[p, q].Magnitude;
                if (r < 1e-300) continue;
                // Phase: column q times e^{−iφ}, row q times e^{iφ}, makes a_pq = r real (a stays Hermitian).
                var phase = Complex.Conjugate(a[p, q]) / r;
                for (var i = 0; i < n; i++)
                {
                    a[i, q] *= phase;
                    v[i, q] *= phase;
                }
                for (var i = 0; i < n; i++) a[q, i] *= Complex.Conjugate(phase);
                // Real rotation with tan 2θ = 2r / (a_qq − a_pp) zeroes the (p, q) entry.
                var theta = 0.5 * Math.Atan2(2 * r, a[q, q].Real - a[p, p].Real);
                var (c, s) = (Math.Cos(theta), Math.Sin(theta));
                for (var i = 0; i < n; i++)
                {
                    var (ip, iq) = (a[i, p], a[i, q]);
                    a[i, p] = c * ip - s * iq;
                    a[i, q] = s * ip + c * iq;
                    var (vp, vq) = (v[i, p], v[i, q]);
                    v[i, p] = c * vp - s * vq;
                    v[i, q] = s * vp + c * vq;
                }
                for (var i = 0; i < n; i++)
                {
                    var (pi, qi) = (a[p, i], a[q, i]);
                    a[p, i] = c * pi - s * qi;
                    a[q, i] = s * pi + c * qi;
                }
            }
        }
        return (Enumerable.Range(0, n).Select(i => a[i, i].Real).ToArray(), v);
    }
}
