using System.Numerics;
using Lrnn.Modules.Lti;

namespace Lrnn.Modules.Ltv;

/// <summary>
/// The diagonalised HiPPO-N matrix of S5 (Smith et al. 2023, lrnnx's <c>make_DPLR_HiPPO</c>): the normal part of
/// HiPPO-LegS, S = A + ppᵀ with p_n = √(n + ½), is −½·I plus a real skew-symmetric matrix; its eigenvalues are
/// Λ = −½ + i·ω with ω the eigenvalues of the Hermitian −i(S + ½I), ascending (numpy's eigh order), and V its
/// unitary eigenvectors (so V⁻¹ = Vᴴ). Computed once per layer on the CPU in float64 by S4's Jacobi eigensolver
/// (<see cref="Hippo"/>; the binding has no eigh); N is a state size, so O(N³) per sweep is nothing.
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
        var (omega, v) = Hippo.HermitianEigen(m);
        var order = Enumerable.Range(0, n).OrderBy(k => omega[k]).ToArray();
        var lambda = order.Select(k => new Complex(-0.5, omega[k])).ToArray();
        var sorted = new Complex[n, n];
        for (var row = 0; row < n; row++)
        for (var col = 0; col < n; col++)
            sorted[row, col] = v[row, order[col]];
        return (lambda, sorted);
    }
}
