using Lrnn.Ops.Native;
using Lrnn.Torch;
using Lrnn.Torch.Native;

namespace Lrnn.Ops;

public static partial class ops
{
    /// <summary>
    /// Mamba's selective scan (S6) in mamba_ssm's layout, as one autograd node that never holds the
    /// (B, D, L, N) state: it runs in chunks of time steps, keeps only the state entering each chunk and
    /// recomputes a chunk's states in backward. With Δ = softplus?(delta + deltaBias) and Δᴬ = deltaA when
    /// given (event mode; used as is) or Δ:
    /// <c>h_t = Ā_t ⊙ h_{t−1} + B̄_t u_t</c>, <c>y_t = (C_t·h_t + D ⊙ u_t) ⊙ silu(z_t)</c>, where
    /// "mamba": Ā = exp(ΔᴬA), B̄ = ΔB; "zoh": Ā = exp(ΔᴬA), B̄ = (exp(ΔA) − 1)/A·B;
    /// "bilinear": Ā = (1 + ΔᴬA/2)/(1 − ΔᴬA/2), B̄ = Δ/(1 − ΔA/2)·B; "dirac": Ā = exp(ΔᴬA), B̄ = B.
    /// </summary>
    /// <param name="u">Inputs (B, D, L).</param>
    /// <param name="delta">Step sizes (B, D, L), before <paramref name="deltaBias"/> and softplus.</param>
    /// <param name="A">State matrix (D, N), real (Mamba: −exp(A_log)).</param>
    /// <param name="B">Input-dependent input matrix (B, N, L).</param>
    /// <param name="C">Input-dependent output matrix (B, N, L).</param>
    /// <param name="D">Skip (D).</param>
    /// <param name="z">Output gate (B, D, L): y ⊙ silu(z).</param>
    /// <param name="deltaBias">Added to delta (D).</param>
    /// <param name="deltaSoftplus">Apply softplus to delta + deltaBias.</param>
    /// <param name="h0">Initial state (B, D, N).</param>
    /// <param name="discretization">"mamba", "zoh", "bilinear" or "dirac".</param>
    /// <param name="deltaA">Event mode: the step sizes of Ā (B, D, L); B̄ still uses Δ.</param>
    /// <returns>y (B, D, L) in u's dtype and the final state hLast (B, D, N) in the accumulation dtype
    /// (float32 for bf16/f16 inputs). Differentiable once in every tensor argument.</returns>
    public static (Tensor y, Tensor hLast) selective_scan(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
        Tensor? D = null, Tensor? z = null, Tensor? deltaBias = null, bool deltaSoftplus = false, Tensor? h0 = null,
        string discretization = "mamba", Tensor? deltaA = null) =>
        selective_scan(u, delta, A, B, C, D, z, deltaBias, deltaSoftplus, h0, discretization, deltaA, chunk: 0);

    /// <summary><see cref="selective_scan(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor?, Tensor?, Tensor?, bool, Tensor?, string, Tensor?)"/>
    /// with an explicit chunk length (time steps per chunk; 0 = chosen from the sizes), for tests and benchmarks.</summary>
    internal static (Tensor y, Tensor hLast) selective_scan(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
        Tensor? D, Tensor? z, Tensor? deltaBias, bool deltaSoftplus, Tensor? h0, string discretization, Tensor? deltaA, long chunk)
    {
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(A);
        ArgumentNullException.ThrowIfNull(B);
        ArgumentNullException.ThrowIfNull(C);
        ArgumentNullException.ThrowIfNull(discretization);
        // Every shape and the discretization are checked once, natively (ArgumentException with the shapes).
        NativeErrors.Check(OpsNativeMethods.lrnn_selective_scan(u.Handle, delta.Handle, A.Handle, B.Handle, C.Handle,
            D?.Handle ?? TensorHandle.Null, z?.Handle ?? TensorHandle.Null, deltaBias?.Handle ?? TensorHandle.Null,
            deltaSoftplus ? 1 : 0, h0?.Handle ?? TensorHandle.Null, discretization, deltaA?.Handle ?? TensorHandle.Null, chunk,
            out var y, out var hLast));
        return (new Tensor(y), new Tensor(hLast));
    }
}
