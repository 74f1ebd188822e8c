using Lrnn.Ops.Native;
using Lrnn.Torch;
using Lrnn.Torch.Native;

namespace Lrnn.Ops;

public static partial class ops
{
    /// <summary>
    /// <c>Re Σ_n w[..., h, n] · exp(l · logLambda[h, n])</c> for l &lt; <paramref name="length"/> by one CUDA kernel
    /// (src/Lrnn.Torch.Native/src/cuda/vandermonde.cu), or null where that kernel does not apply (an input that needs
    /// a gradient, not CUDA, not complex64, more than 64 modes, length over 2048, a build without the kernels): the
    /// no-gradient fast path of Lrnn's Vandermonde.RealModesToTime, which keeps the differentiable version.
    /// <paramref name="atZero"/> (float32 (..., H), optional) is added at l = 0.
    /// </summary>
    internal static Tensor? real_modes_to_time_kernel(Tensor weights, Tensor logLambda, long length, Tensor? atZero = null) =>
        Tensor.FromNativeOrNull(OpsNativeMethods.lrnn_real_modes_to_time_kernel(weights.Handle, logLambda.Handle, length,
            atZero?.Handle ?? TensorHandle.Null));
}
