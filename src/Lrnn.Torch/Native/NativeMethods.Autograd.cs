using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// autograd.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int lrnn_requires_grad_(TensorHandle t, int value);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_detach(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lrnn_backward(TensorHandle t, TensorHandle grad, int retainGraph, int createGraph);
    [LibraryImport(Lib)] internal static partial int lrnn_grad_enabled();
    [LibraryImport(Lib)] internal static partial int lrnn_set_grad_enabled(int enabled);
}
