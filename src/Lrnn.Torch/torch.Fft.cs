using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Discrete Fourier transforms, as torch.fft. With the default norm ("backward") the forward transforms are
// unscaled, X[k] = sum_t x[t] e^{-2 pi i k t / n}, and the inverses divide by n.
public static partial class torch
{
    public static class fft
    {
        /// <summary>
        /// The complex DFT along <paramref name="dim"/>. <paramref name="n"/> zero-pads or trims the input to that
        /// length first. <paramref name="norm"/> is "backward" (default), "forward" or "ortho".
        /// </summary>
        /// <remarks>Named <c>fft_</c> because C# forbids a member named like its enclosing class (torch.fft).</remarks>
        public static Tensor fft_(Tensor input, long? n = null, long dim = -1, string? norm = null) =>
            Tensor.FromNative(NativeMethods.lrnn_fft_fft(input.Handle, Length(n), dim, Norm(norm)));

        /// <summary>The inverse of <see cref="fft_"/>.</summary>
        public static Tensor ifft(Tensor input, long? n = null, long dim = -1, string? norm = null) =>
            Tensor.FromNative(NativeMethods.lrnn_fft_ifft(input.Handle, Length(n), dim, Norm(norm)));

        /// <summary>
        /// The DFT of a real signal, keeping the n/2 + 1 non-negative frequencies (the rest are their conjugates).
        /// Convolution of length-L signals: <c>irfft(rfft(u, 2L) * rfft(k, 2L), 2L)</c>, first L entries.
        /// </summary>
        public static Tensor rfft(Tensor input, long? n = null, long dim = -1, string? norm = null) =>
            Tensor.FromNative(NativeMethods.lrnn_fft_rfft(input.Handle, Length(n), dim, Norm(norm)));

        /// <summary>
        /// The inverse of <see cref="rfft"/>: a real signal of length <paramref name="n"/> (default 2 (m − 1) for m
        /// input frequencies; pass n for odd lengths).
        /// </summary>
        public static Tensor irfft(Tensor input, long? n = null, long dim = -1, string? norm = null) =>
            Tensor.FromNative(NativeMethods.lrnn_fft_irfft(input.Handle, Length(n), dim, Norm(norm)));

        private static long Length(long? n)
        {
            if (n is <= 0) throw new ArgumentException($"fft length n must be positive, got {n}.", nameof(n));
            return n ?? -1;
        }

        private static int Norm(string? norm) => norm switch
        {
            null or "backward" => 0,
            "forward" => 1,
            "ortho" => 2,
            _ => throw new ArgumentException($"fft norm must be \"backward\", \"forward\" or \"ortho\", got \"{norm}\".", nameof(norm)),
        };
    }
}
