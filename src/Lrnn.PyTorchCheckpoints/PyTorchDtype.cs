namespace Lrnn.PyTorchCheckpoints;

/// <summary>The element types of the storages <c>torch.save</c> writes (one per <c>torch.*Storage</c> class).</summary>
public enum PyTorchDtype
{
    Float32,
    Float64,
    Float16,
    BFloat16,
    Int64,
    Int32,
    Int16,
    Int8,
    UInt8,
    Bool,
    Complex64,
    Complex128,
}

/// <summary>Storage class names ↔ dtypes and element sizes, as torch/storage.py defines the legacy typed storages.</summary>
public static class PyTorchDtypes
{
    private static readonly Dictionary<string, PyTorchDtype> s_byStorage = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = PyTorchDtype.Float32,
        ["DoubleStorage"] = PyTorchDtype.Float64,
        ["HalfStorage"] = PyTorchDtype.Float16,
        ["BFloat16Storage"] = PyTorchDtype.BFloat16,
        ["LongStorage"] = PyTorchDtype.Int64,
        ["IntStorage"] = PyTorchDtype.Int32,
        ["ShortStorage"] = PyTorchDtype.Int16,
        ["CharStorage"] = PyTorchDtype.Int8,
        ["ByteStorage"] = PyTorchDtype.UInt8,
        ["BoolStorage"] = PyTorchDtype.Bool,
        ["ComplexFloatStorage"] = PyTorchDtype.Complex64,
        ["ComplexDoubleStorage"] = PyTorchDtype.Complex128,
        // torch ≥ 2.0 may record an untyped storage: bytes, rebuilt as uint8 as torch.load does.
        ["UntypedStorage"] = PyTorchDtype.UInt8,
    };

    /// <summary>The dtype of storage class <c>torch.&lt;name&gt;</c>, or false when it is not a storage class.</summary>
    public static bool TryFromStorageName(string name, out PyTorchDtype dtype) => s_byStorage.TryGetValue(name, out dtype);

    public static int ElementSize(this PyTorchDtype dtype) => dtype switch
    {
        PyTorchDtype.Float64 or PyTorchDtype.Int64 or PyTorchDtype.Complex64 => 8,
        PyTorchDtype.Float32 or PyTorchDtype.Int32 => 4,
        PyTorchDtype.Float16 or PyTorchDtype.BFloat16 or PyTorchDtype.Int16 => 2,
        PyTorchDtype.Int8 or PyTorchDtype.UInt8 or PyTorchDtype.Bool => 1,
        PyTorchDtype.Complex128 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };
}
