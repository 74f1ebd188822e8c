using Lrnn.Torch.Native;

namespace Lrnn.Torch;

public static partial class torch
{
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
            var bs = b.shape;
            if (bs.Length == 0 || dim < -bs.Length || dim >= bs.Length)
                throw new ArgumentOutOfRangeException(nameof(dim),
                    $"linear_scan: dim {dim} is not a dimension of b {Tensor.Dims(bs)}.");
            var time = dim < 0 ? dim + bs.Length : dim;
            var shapeA = a.shape;
            if (!BroadcastsTo(shapeA, bs))
                throw new ArgumentException(
                    $"linear_scan: a {Tensor.Dims(shapeA)} does not broadcast to b {Tensor.Dims(bs)}.", nameof(a));
            if (h0 is not null)
            {
                var expected = bs.Where((_, k) => k != time).ToArray();
                if (!h0.shape.SequenceEqual(expected))
                    throw new ArgumentException(
                        $"linear_scan: h0 must have shape {Tensor.Dims(expected)} (b {Tensor.Dims(bs)} without dim {time}), got {Tensor.Dims(h0.shape)}.",
                        nameof(h0));
            }
            NativeErrors.Check(NativeMethods.lrnn_linear_scan(a.Handle, b.Handle, h0?.Handle ?? TensorHandle.Null, time,
                out var h, out var hLast));
            return (new Tensor(h), new Tensor(hLast));
        }

        private static bool BroadcastsTo(long[] from, long[] to)
        {
            if (from.Length > to.Length) return false;
            for (var k = 1; k <= from.Length; k++)
                if (from[^k] != 1 && from[^k] != to[^k]) return false;
            return true;
        }
    }
}
