using Lrnn.Torch.Native;

namespace Lrnn.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class utils
        {
            /// <summary>
            /// Scales the gradients of <paramref name="parameters"/> in place so that their joint
            /// <paramref name="norm_type"/>-norm (∞ allowed) is at most <paramref name="max_norm"/>, and returns that
            /// norm before clipping as a 0-d tensor (no device synchronisation; call <c>item</c> to read it).
            /// Parameters without a gradient are skipped.
            /// </summary>
            public static unsafe Tensor clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm, double norm_type = 2.0)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                ArgumentOutOfRangeException.ThrowIfNegative(max_norm);
                var list = parameters as IReadOnlyList<Tensor> ?? parameters.ToArray();
                using var handles = new TensorHandleArray(list);
                fixed (IntPtr* p = handles.Pointers)
                    return Tensor.FromNative(NativeMethods.lrnn_clip_grad_norm_(p, handles.Length, max_norm, norm_type));
            }
        }
    }
}
