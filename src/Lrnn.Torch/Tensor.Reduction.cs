using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Reductions.
public sealed partial class Tensor
{
    public Tensor sum(ScalarType? type = null) => FromNative(NativeMethods.lrnn_sum_all(Handle, type is null ? -1 : (int)type));

    public unsafe Tensor sum(long[] dims, bool keepdim = false, ScalarType? type = null)
    {
        fixed (long* p = dims) return FromNative(NativeMethods.lrnn_sum(Handle, p, dims.Length, keepdim ? 1 : 0, type is null ? -1 : (int)type));
    }

    public Tensor sum(long dim, bool keepdim = false) => sum(new[] { dim }, keepdim);

    public Tensor mean() => FromNative(NativeMethods.lrnn_mean_all(Handle));

    public unsafe Tensor mean(long[] dims, bool keepdim = false)
    {
        fixed (long* p = dims) return FromNative(NativeMethods.lrnn_mean(Handle, p, dims.Length, keepdim ? 1 : 0));
    }

    public Tensor mean(long dim, bool keepdim = false) => mean(new[] { dim }, keepdim);
}
