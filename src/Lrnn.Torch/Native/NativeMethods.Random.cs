using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// random.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int lrnn_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_generator_new(int deviceType, int deviceIndex, ulong seed);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_default_generator(int deviceType, int deviceIndex);
    [LibraryImport(Lib)] internal static partial void lrnn_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial int lrnn_generator_manual_seed(GeneratorHandle g, ulong seed);
    [LibraryImport(Lib)] internal static partial int lrnn_generator_initial_seed(GeneratorHandle g, out ulong seed);
    [LibraryImport(Lib)] internal static partial int lrnn_generator_seed(GeneratorHandle g, out ulong seed);
    [LibraryImport(Lib)] internal static partial int lrnn_generator_device(GeneratorHandle g, out int deviceType, out int deviceIndex);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_generator_get_state(GeneratorHandle g);
    [LibraryImport(Lib)] internal static partial int lrnn_generator_set_state(GeneratorHandle g, TensorHandle state);

    [LibraryImport(Lib)]
    internal static partial IntPtr lrnn_rand(long* shape, int ndim, GeneratorHandle g, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)]
    internal static partial IntPtr lrnn_randn(long* shape, int ndim, GeneratorHandle g, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)]
    internal static partial IntPtr lrnn_randint(long low, long high, long* shape, int ndim, GeneratorHandle g, int dtype,
        int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_multinomial(TensorHandle probs, long numSamples, int replacement, GeneratorHandle g);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_bernoulli(TensorHandle probs, GeneratorHandle g);
    [LibraryImport(Lib)] internal static partial int lrnn_uniform_(TensorHandle t, double from, double to, GeneratorHandle g);
    [LibraryImport(Lib)] internal static partial int lrnn_normal_(TensorHandle t, double mean, double std, GeneratorHandle g);
}
