using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// Custom autograd operations: fused_rms_norm.cpp (and later fused ops, one .cpp each).
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_rms_norm_fused(TensorHandle x, TensorHandle weight, double eps);
}
