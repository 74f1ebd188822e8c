using Lrnn.Ops.Native;
using Lrnn.Torch;

namespace Lrnn.Ops;

public static partial class ops
{
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
        return Tensor.FromNative(OpsNativeMethods.lrnn_fft_causal_conv(u.Handle, k.Handle, gelus));
    }
}
