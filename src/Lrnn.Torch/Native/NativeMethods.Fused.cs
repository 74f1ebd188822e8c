using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// Custom operations: fused_rms_norm.cpp, fft_causal_conv.cpp, modes_to_time.cpp (one .cpp each).
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_rms_norm_fused(TensorHandle x, TensorHandle weight, double eps);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_fft_causal_conv(TensorHandle u, TensorHandle k, int gelus);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_real_modes_to_time_kernel(TensorHandle weights, TensorHandle logLambda, long length, TensorHandle atZero);
}
