using Lrnn.Torch.Native;

namespace Lrnn.Torch;

public static partial class torch
{
    /// <summary>CUDA device queries and memory management.</summary>
    public static partial class cuda
    {
        public static bool is_available() => NativeMethods.lrnn_cuda_is_available() == 1;

        public static int device_count() => (int)NativeErrors.Check((long)NativeMethods.lrnn_cuda_device_count());

        /// <summary>Waits for all work on <paramref name="device"/> (−1: the current device).</summary>
        public static void synchronize(int device = -1) => NativeErrors.Check(NativeMethods.lrnn_cuda_synchronize(device));
    }
}
