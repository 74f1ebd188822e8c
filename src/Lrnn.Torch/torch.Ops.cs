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

        /// <summary>
        /// The causal convolution of every feature with its own kernels, by FFT at length 2L (O(L log L), no token
        /// loop), optionally followed by the exact GELU, as one autograd node:
        /// <c>y[b, t, c, h] = GELU^gelus(Σ_{s≤t} k[c, h, t−s] · u[b, s, h])</c>.
        /// On CUDA in float32 with L ≤ 2048 the forward is one hand-written kernel that reads u once and writes y once,
        /// the spectra kept on chip and the GELUs applied as y is written (with one channel the input gradient is that
        /// kernel too); elsewhere it is libtorch's rfft/irfft. bf16/f16 inputs are computed in float32, float64 in
        /// float64. Only u and k are kept for backward, which recomputes the convolution when there are GELUs.
        /// </summary>
        /// <param name="u">Inputs (B, L, H), L ≥ 1, real.</param>
        /// <param name="k">Kernels (C, H, K) with K ≥ L taps; taps beyond L are not used.</param>
        /// <param name="gelus">How many times the exact GELU is applied to the output: 0, 1 or 2 (the S4 block's
        /// two activations).</param>
        /// <returns>y (B, L, C, H), contiguous, in the compute dtype. Differentiable in u and k.</returns>
        public static Tensor fft_causal_conv(Tensor u, Tensor k, int gelus = 0)
        {
            ArgumentNullException.ThrowIfNull(u);
            ArgumentNullException.ThrowIfNull(k);
            // Shapes, dtypes, devices and gelus are checked natively (ArgumentException with the shapes).
            return Tensor.FromNative(NativeMethods.lrnn_fft_causal_conv(u.Handle, k.Handle, gelus));
        }

        /// <summary>
        /// <c>Re Σ_n w[..., h, n] · exp(l · logLambda[h, n])</c> for l &lt; <paramref name="length"/> by one CUDA kernel
        /// (src/Lrnn.Torch.Native/src/cuda/vandermonde.cu), or null where that kernel does not apply (an input that needs
        /// a gradient, not CUDA, not complex64, more than 64 modes, length over 2048, a build without the kernels): the
        /// no-gradient fast path of Lrnn's Vandermonde.RealModesToTime, which keeps the differentiable version.
        /// <paramref name="atZero"/> (float32 (..., H), optional) is added at l = 0.
        /// </summary>
        internal static Tensor? real_modes_to_time_kernel(Tensor weights, Tensor logLambda, long length, Tensor? atZero = null) =>
            Tensor.FromNativeOrNull(NativeMethods.lrnn_real_modes_to_time_kernel(weights.Handle, logLambda.Handle, length,
                atZero?.Handle ?? TensorHandle.Null));
    }
}
