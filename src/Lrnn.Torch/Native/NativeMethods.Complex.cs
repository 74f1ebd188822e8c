using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// complex.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_real(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_imag(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_complex(TensorHandle re, TensorHandle im);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_polar(TensorHandle abs, TensorHandle angle);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_angle(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_conj(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_view_as_real(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_view_as_complex(TensorHandle a);
}
