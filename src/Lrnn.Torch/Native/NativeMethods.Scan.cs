using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// linear_scan.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int lrnn_linear_scan(TensorHandle a, TensorHandle b, TensorHandle h0, long dim, out IntPtr h, out IntPtr hLast);
}
