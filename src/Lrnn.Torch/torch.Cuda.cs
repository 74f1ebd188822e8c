using Lrnn.Torch.Native;

namespace Lrnn.Torch;

public static partial class torch
{
    /// <summary>
    /// CUDA device queries and memory management. In a build without CUDA the memory statistics read 0 and
    /// <see cref="empty_cache"/> does nothing. Device −1 means the current device.
    /// </summary>
    public static partial class cuda
    {
        public static bool is_available() => NativeMethods.lrnn_cuda_is_available() == 1;

        public static int device_count() => (int)NativeErrors.Check((long)NativeMethods.lrnn_cuda_device_count());

        /// <summary>Waits for all work on <paramref name="device"/> (−1: the current device).</summary>
        public static void synchronize(int device = -1) => NativeErrors.Check(NativeMethods.lrnn_cuda_synchronize(device));

        /// <summary>Seeds the default generator of every CUDA device (nothing without CUDA).</summary>
        public static void manual_seed_all(ulong seed) => NativeErrors.Check(NativeMethods.lrnn_cuda_manual_seed_all(seed));

        /// <summary>The state of <paramref name="device"/>'s default generator, for an exact resume.</summary>
        public static byte[] get_rng_state(int device = 0)
        {
            using var g = Generator.Default(Device.CUDA(device));
            return g.get_state();
        }

        public static void set_rng_state(byte[] state, int device = 0)
        {
            using var g = Generator.Default(Device.CUDA(device));
            g.set_state(state);
        }

        /// <summary>Bytes held by tensors on <paramref name="device"/> now.</summary>
        public static long memory_allocated(int device = -1) => MemoryStats(device)[0];

        /// <summary>Bytes held by the caching allocator on <paramref name="device"/> now (allocated + cached).</summary>
        public static long memory_reserved(int device = -1) => MemoryStats(device)[1];

        /// <summary>Peak of <see cref="memory_allocated"/> since the start or <see cref="reset_peak_memory_stats"/>.</summary>
        public static long max_memory_allocated(int device = -1) => MemoryStats(device)[2];

        /// <summary>Peak of <see cref="memory_reserved"/> since the start or <see cref="reset_peak_memory_stats"/>.</summary>
        public static long max_memory_reserved(int device = -1) => MemoryStats(device)[3];

        public static void reset_peak_memory_stats(int device = -1) =>
            NativeErrors.Check(NativeMethods.lrnn_cuda_reset_peak_memory_stats(device));

        /// <summary>Returns cached, unused blocks to the driver (tensors keep theirs).</summary>
        public static void empty_cache() => NativeErrors.Check(NativeMethods.lrnn_cuda_empty_cache());

        private static unsafe long[] MemoryStats(int device)
        {
            var stats = new long[4];
            fixed (long* p = stats) NativeErrors.Check(NativeMethods.lrnn_cuda_memory_stats(device, p));
            return stats;
        }
    }
}
