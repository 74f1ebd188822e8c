using Lrnn.Torch.Native;

namespace Lrnn.Torch;

public static partial class torch
{
    /// <summary>
    /// Our own fused operations: C++ autograd functions with hand-written backward passes
    /// (src/Lrnn.Torch.Native/src/autograd_function.h explains how to add one).
    /// </summary>
    public static partial class ops
    {
        /// <summary>
        /// RMSNorm, <c>y = x · rsqrt(mean(x², -1) + eps) · weight</c>, as one autograd node that saves only x,
        /// weight and one reciprocal RMS per row. x: (..., D), weight: (D); y has x's shape and dtype.
        /// bf16/f16 inputs are normalised in float32.
        /// </summary>
        public static Tensor rms_norm_fused(Tensor x, Tensor weight, double eps = 1e-5)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(weight);
            // Shapes are checked natively (ArgumentException with both shapes): once per call, not on both sides.
            return Tensor.FromNative(NativeMethods.lrnn_rms_norm_fused(x.Handle, weight.Handle, eps));
        }
    }
}
