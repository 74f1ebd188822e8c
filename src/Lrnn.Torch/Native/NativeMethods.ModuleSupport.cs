using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// module_support.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_set_data(TensorHandle dst, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int lrnn_embedding_zero_padding_row_(TensorHandle weight, long paddingIdx);
}
