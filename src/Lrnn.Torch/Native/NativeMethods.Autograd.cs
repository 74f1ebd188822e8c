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
    [LibraryImport(Lib)] internal static partial int lrnn_set_grad(TensorHandle t, TensorHandle grad);
    [LibraryImport(Lib)] internal static partial int lrnn_retain_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lrnn_retains_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lrnn_is_inference(TensorHandle t);
    [LibraryImport(Lib)]
    internal static partial long lrnn_autograd_grad(IntPtr* outputs, long nOutputs, IntPtr* inputs, long nInputs,
        IntPtr* gradOutputs, int retainGraph, int createGraph, int allowUnused, IntPtr* result, long capacity);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_inference_mode_enter(int enabled);
    [LibraryImport(Lib)] internal static partial void lrnn_inference_mode_exit(IntPtr guard);
    [LibraryImport(Lib)] internal static partial int lrnn_inference_mode_enabled();
}
