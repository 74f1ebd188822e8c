using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// In-place replacement of a tensor's data (Module.to). Random fills are in Tensor.Random.cs.
public sealed partial class Tensor
{
    /// <summary>
    /// PyTorch's <c>t.data = source</c>: this tensor object keeps its identity, requires_grad and every handle
    /// to it, but now holds <paramref name="source"/>'s storage, shape, dtype and device.
    /// </summary>
    public Tensor set_data(Tensor source)
    {
        NativeErrors.Check(NativeMethods.lrnn_tensor_set_data(Handle, source.Handle));
        return this;
    }
}
