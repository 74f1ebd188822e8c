using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Autograd on a tensor.
public sealed partial class Tensor
{
    public bool requires_grad
    {
        get => NativeMethods.lrnn_tensor_requires_grad(Handle) == 1;
        set => NativeErrors.Check(NativeMethods.lrnn_requires_grad_(Handle, value ? 1 : 0));
    }

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    /// <summary>The accumulated gradient (a new handle on it), or null if none was computed.</summary>
    public Tensor? grad => FromNativeOrNull(NativeMethods.lrnn_grad(Handle));

    public Tensor detach() => FromNative(NativeMethods.lrnn_detach(Handle));

    /// <summary>Back-propagates from this tensor. A non-scalar tensor needs <paramref name="gradient"/>.</summary>
    public void backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false) =>
        NativeErrors.Check(NativeMethods.lrnn_backward(Handle, gradient?.Handle ?? TensorHandle.Null,
            retainGraph ? 1 : 0, createGraph ? 1 : 0));
}
