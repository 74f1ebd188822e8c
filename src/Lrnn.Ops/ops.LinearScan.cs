using Lrnn.Ops.Native;
using Lrnn.Torch;
using Lrnn.Torch.Native;

namespace Lrnn.Ops;

public static partial class ops
{
    /// <summary>
    /// The linear recurrence <c>h_t = a_t ⊙ h_{t−1} + b_t</c> along <paramref name="dim"/> (time; 1 for
    /// (B, L, ...)), from <c>h_{−1} = h0</c> (zero when null), as one autograd node with a hand-written
    /// backward (the reverse scan of the adjoint). Computed by an exact chunked two-level scan: no division,
    /// so decays at or near 0 are fine, and complex decays work.
    /// </summary>
    /// <param name="a">Decays, broadcastable to b; real or complex.</param>
    /// <param name="b">Inputs (..., L, ...): float32/float64/bfloat16/float16 (16-bit types accumulate in
    /// float32) or complex64/complex128.</param>
    /// <param name="h0">Initial state: b's shape without <paramref name="dim"/>.</param>
    /// <param name="dim">The time dimension of b.</param>
    /// <returns>Every state h (b's shape and dtype; complex when a is complex and b real) and the last state
    /// hLast (b's shape without <paramref name="dim"/>). Differentiable once in a, b and h0.</returns>
    public static (Tensor h, Tensor hLast) linear_scan(Tensor a, Tensor b, Tensor? h0 = null, int dim = 1)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        // Shapes (a broadcasting to b, h0) are checked once, natively, with the shapes in the message; only the
        // dim is resolved here, for its ArgumentOutOfRangeException.
        var rank = b.dim();
        if (rank == 0 || dim < -rank || dim >= rank)
            throw new ArgumentOutOfRangeException(nameof(dim),
                $"linear_scan: dim {dim} is not a dimension of b {Tensor.Dims(b.shape)}.");
        var time = dim < 0 ? dim + rank : dim;
        NativeErrors.Check(OpsNativeMethods.lrnn_linear_scan(a.Handle, b.Handle, h0?.Handle ?? TensorHandle.Null, time,
            out var h, out var hLast));
        return (new Tensor(h), new Tensor(hLast));
    }
}
