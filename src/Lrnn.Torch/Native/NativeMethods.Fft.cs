using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// fft.cpp. n < 0: the input's length; norm: 0 backward, 1 forward, 2 ortho.
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_fft_fft(TensorHandle a, long n, long dim, int norm);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_fft_ifft(TensorHandle a, long n, long dim, int norm);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_fft_rfft(TensorHandle a, long n, long dim, int norm);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_fft_irfft(TensorHandle a, long n, long dim, int norm);
}
