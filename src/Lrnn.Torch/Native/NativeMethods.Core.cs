using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

/// <summary>
/// P/Invoke declarations of the shim, one partial file per area (Core, Creation, Math, ...), matching the
/// .cpp files of Lrnn.Torch.Native. All signatures are blittable; tensor arguments are
/// <see cref="TensorHandle"/>s, tensor results raw pointers that <see cref="Tensor"/> takes ownership of.
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const string Lib = NativeLibraryLoader.LibraryName;
    internal const int ExpectedAbiVersion = 1;

    [LibraryImport(Lib)] internal static partial int lrnn_last_error_code();
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_last_error_message();
    [LibraryImport(Lib)] internal static partial int lrnn_abi_version();
    [LibraryImport(Lib)] internal static partial int lrnn_torch_version_major();
    [LibraryImport(Lib)] internal static partial int lrnn_torch_version_minor();
    [LibraryImport(Lib)] internal static partial int lrnn_torch_version_patch();
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_torch_source();
    [LibraryImport(Lib)] internal static partial int lrnn_built_with_cuda();
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_build_config();
    [LibraryImport(Lib)] internal static partial long lrnn_live_tensor_count();
    [LibraryImport(Lib)] internal static partial int lrnn_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int lrnn_get_num_threads();
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_test_throw(int kind);

    [LibraryImport(Lib)] internal static partial void lrnn_tensor_free(IntPtr t);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_tensor_alias(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long lrnn_tensor_dim(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long lrnn_tensor_numel(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_shape(TensorHandle t, long* shape, int cap);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_strides(TensorHandle t, long* strides, int cap);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_dtype(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_device_type(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_device_index(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_is_contiguous(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_requires_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_is_leaf(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_same_storage(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial long lrnn_tensor_version(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long lrnn_tensor_element_size(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long lrnn_tensor_storage_offset(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_copy_to_buffer(TensorHandle t, void* dst, long nbytes);
    [LibraryImport(Lib)]
    internal static partial IntPtr lrnn_tensor_from_buffer(void* src, long nbytes, long* shape, int ndim, int dtype,
        int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_item(TensorHandle t, out double re, out double im, out long iv);
    [LibraryImport(Lib)]
    internal static partial IntPtr lrnn_tensor_to(TensorHandle t, int dtype, int deviceType, int deviceIndex, int nonBlocking, int copy);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_tensor_to_dtype(TensorHandle t, int dtype);
    [LibraryImport(Lib)] internal static partial int lrnn_tensor_print(TensorHandle t, byte* buf, int cap);
}
