using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Float32 matmul precision, named as PyTorch's switches. One process-wide flag, read when a matmul runs (so it
// also applies to matmuls in a backward pass run later); PyTorch's default is "highest", i.e. TF32 off.
public static partial class torch
{
    private static readonly string[] MatmulPrecisions = ["highest", "high", "medium"];

    /// <summary>
    /// "highest": float32 matmuls in float32 (the default); "high": cuBLAS may use TF32 tensor cores (inputs
    /// rounded to 10 mantissa bits, float32 accumulation); "medium": also bfloat16 internally where a backend
    /// supports it. CPU matmuls are unaffected in libtorch's default CPU build.
    /// </summary>
    public static void set_float32_matmul_precision(string precision)
    {
        var code = Array.IndexOf(MatmulPrecisions, precision);
        if (code < 0)
            throw new ArgumentException($"float32 matmul precision must be \"highest\", \"high\" or \"medium\", got \"{precision}\".", nameof(precision));
        NativeErrors.Check(NativeMethods.lrnn_set_float32_matmul_precision(code));
    }

    public static string get_float32_matmul_precision() =>
        MatmulPrecisions[NativeErrors.Check((long)NativeMethods.lrnn_get_float32_matmul_precision())];

    public static class backends
    {
        public static class cuda
        {
            public static class matmul
            {
                /// <summary>
                /// Whether cuBLAS may run float32 matmuls on TF32 tensor cores: the matmul precision seen as a bool
                /// (true = not "highest"); setting it selects "high" or "highest".
                /// </summary>
                public static bool allow_tf32
                {
                    get => NativeErrors.Check((long)NativeMethods.lrnn_get_allow_tf32_cublas()) == 1;
                    set => NativeErrors.Check(NativeMethods.lrnn_set_allow_tf32_cublas(value ? 1 : 0));
                }
            }
        }
    }
}
