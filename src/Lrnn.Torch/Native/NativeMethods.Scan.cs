using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// linear_scan.cpp, selective_scan.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int lrnn_linear_scan(TensorHandle a, TensorHandle b, TensorHandle h0, long dim, out IntPtr h, out IntPtr hLast);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int lrnn_selective_scan(TensorHandle u, TensorHandle delta, TensorHandle A, TensorHandle B, TensorHandle C,
        TensorHandle D, TensorHandle z, TensorHandle deltaBias, int deltaSoftplus, TensorHandle h0, string discretization,
        TensorHandle deltaA, long chunk, out IntPtr y, out IntPtr hLast);
}
