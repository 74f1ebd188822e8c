using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Views, reshaping and indexing.
public sealed partial class Tensor
{
    public unsafe Tensor view(params long[] shape)
    {
        fixed (long* p = shape) return FromNative(NativeMethods.lrnn_view(Handle, p, shape.Length));
    }

    public unsafe Tensor reshape(params long[] shape)
    {
        fixed (long* p = shape) return FromNative(NativeMethods.lrnn_reshape(Handle, p, shape.Length));
    }

    public Tensor transpose(long dim0, long dim1) => FromNative(NativeMethods.lrnn_transpose(Handle, dim0, dim1));
    public Tensor contiguous() => FromNative(NativeMethods.lrnn_contiguous(Handle));
}
