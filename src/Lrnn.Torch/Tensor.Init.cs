using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// In-place fills used to initialise parameters, and in-place replacement of a tensor's data. Random fills
// draw from libtorch's global generator. On a leaf that requires grad, call them under torch.no_grad()
// (torch.nn.init does), as in PyTorch.
public sealed partial class Tensor
{
    /// <summary>Fills with samples of U(<paramref name="lo"/>, <paramref name="hi"/>).</summary>
    public Tensor uniform_(double lo = 0, double hi = 1)
    {
        NativeErrors.Check(NativeMethods.lrnn_uniform_(Handle, lo, hi));
        return this;
    }

    /// <summary>Fills with samples of N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    public Tensor normal_(double mean = 0, double std = 1)
    {
        NativeErrors.Check(NativeMethods.lrnn_normal_(Handle, mean, std));
        return this;
    }

    /// <summary>
    /// PyTorch's <c>t.data = source</c>: this tensor object keeps its identity, requires_grad and every handle
    /// to it, but now holds <paramref name="source"/>'s storage, shape, dtype and device.
    /// </summary>
    public Tensor set_data(Tensor source)
    {
        NativeErrors.Check(NativeMethods.lrnn_tensor_set_data(Handle, source.Handle));
        return this;
    }

    /// <summary>PyTorch's <c>t.grad = None</c>.</summary>
    public void clear_grad() => NativeErrors.Check(NativeMethods.lrnn_tensor_set_grad_none(Handle));
}
