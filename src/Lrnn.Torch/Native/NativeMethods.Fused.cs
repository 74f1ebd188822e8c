using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// The binding's generic fused operation: fused_rms_norm.cpp. (The model-specific ops are declared in Lrnn.Ops.)
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_rms_norm_fused(TensorHandle x, TensorHandle weight, double eps);
}
