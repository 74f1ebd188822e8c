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

    /// <summary>
    /// The accumulated gradient (get: a new handle on it, or null if none was computed). Setting null drops
    /// it (<c>zero_grad</c> with set_to_none); setting a tensor replaces it, which must match this tensor's
    /// shape, dtype and device.
    /// </summary>
    public Tensor? grad
    {
        get => FromNativeOrNull(NativeMethods.lrnn_grad(Handle));
        set => NativeErrors.Check(NativeMethods.lrnn_set_grad(Handle, value?.Handle ?? TensorHandle.Null));
    }

    /// <summary>Keeps <see cref="grad"/> for this non-leaf tensor after backward (leaves always keep it).</summary>
    public Tensor retain_grad()
    {
        NativeErrors.Check(NativeMethods.lrnn_retain_grad(Handle));
        return this;
    }

    public bool retains_grad => NativeErrors.Check((long)NativeMethods.lrnn_retains_grad(Handle)) == 1;

    /// <summary>True for a tensor created inside <see cref="torch.inference_mode"/>: it can never join a graph.</summary>
    public bool is_inference() => NativeErrors.Check((long)NativeMethods.lrnn_is_inference(Handle)) == 1;

    public Tensor detach() => FromNative(NativeMethods.lrnn_detach(Handle));

    /// <summary>Back-propagates from this tensor. A non-scalar tensor needs <paramref name="gradient"/>.</summary>
    public void backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false) =>
        NativeErrors.Check(NativeMethods.lrnn_backward(Handle, gradient?.Handle ?? TensorHandle.Null,
            retainGraph ? 1 : 0, createGraph ? 1 : 0));
}
