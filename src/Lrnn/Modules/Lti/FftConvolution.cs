using Lrnn.Ops;
using Lrnn.Torch;

namespace Lrnn.Modules.Lti;

/// <summary>
/// Causal convolution by FFT, the full-sequence path of every linear time-invariant mixer:
/// <code>y_t = Σ_{s≤t} k_{t−s} · x_s    (t = 0..L−1, along one dimension)</code>
/// Transforms of length 2L turn the circular convolution into a linear one: O(L log L), no token loop.
/// Real inputs use rfft/irfft; a complex input or kernel uses fft/ifft. Half-precision inputs are computed in
/// float32/complex64 (kernels and FFTs lose too much in bf16), float64 in complex128. The S4-family blocks, one real
/// kernel per feature and channel, use <see cref="ops.fft_causal_conv"/> instead (a CUDA kernel with the
/// activations fused).
/// </summary>
public static class FftConvolution
{
    /// <summary>
    /// <paramref name="x"/> (..., L, ...) and <paramref name="kernel"/> (..., K, ...) with K ≥ L along
    /// <paramref name="dim"/> (only k_0..k_{L−1} are used) and broadcastable elsewhere → y of x's length along
    /// <paramref name="dim"/>, in the compute type (real: float32 or float64; complex: complex64 or complex128).
    /// </summary>
    public static Tensor Causal(Tensor x, Tensor kernel, int dim)
    {
        var rank = x.dim();
        var d = (int)(dim < 0 ? dim + rank : dim);
        if (d < 0 || d >= rank || kernel.dim() != rank)
            throw new ArgumentException($"FftConvolution.Causal: x [{string.Join(", ", x.shape)}] and kernel [{string.Join(", ", kernel.shape)}] need the same rank and a valid dim (got {dim})");
        var length = x.size(d);
        if (kernel.size(d) < length)
            throw new ArgumentException($"FftConvolution.Causal: the kernel has {kernel.size(d)} taps along dim {dim} but the input has {length} steps");

        using var scope = torch.NewDisposeScope();
        var n = 2 * length;
        var k = kernel.size(d) == length ? kernel : kernel.narrow(d, 0, length);
        Tensor y;
        if (x.dtype.IsComplex() || k.dtype.IsComplex())
        {
            var complexType = Precision.ComplexType(x.dtype);
            y = torch.fft.ifft(torch.fft.fft_(Precision.Cast(x, complexType), n, d).mul(torch.fft.fft_(Precision.Cast(k, complexType), n, d)), n, d);
        }
        else
        {
            var realType = Precision.ComputeType(x.dtype);
            y = torch.fft.irfft(torch.fft.rfft(Precision.Cast(x, realType), n, d).mul(torch.fft.rfft(Precision.Cast(k, realType), n, d)), n, d);
        }
        return y.narrow(d, 0, length).MoveToOuterDisposeScope();
    }
}
