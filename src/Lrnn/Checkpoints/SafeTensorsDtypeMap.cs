using Lrnn.SafeTensors;
using Lrnn.Torch;

namespace Lrnn.Checkpoints;

/// <summary>libtorch dtypes ↔ safetensors dtypes, as <c>_TYPES</c> in safetensors' torch.py pairs them.</summary>
internal static class SafeTensorsDtypeMap
{
    public static SafeTensorsDtype ToSafeTensors(ScalarType type, string tensorName) => type switch
    {
        ScalarType.Bool => SafeTensorsDtype.BOOL,
        ScalarType.Byte => SafeTensorsDtype.U8,
        ScalarType.Int8 => SafeTensorsDtype.I8,
        ScalarType.Int16 => SafeTensorsDtype.I16,
        ScalarType.Int32 => SafeTensorsDtype.I32,
        ScalarType.Int64 => SafeTensorsDtype.I64,
        ScalarType.Float16 => SafeTensorsDtype.F16,
        ScalarType.BFloat16 => SafeTensorsDtype.BF16,
        ScalarType.Float32 => SafeTensorsDtype.F32,
        ScalarType.Float64 => SafeTensorsDtype.F64,
        ScalarType.ComplexFloat32 => SafeTensorsDtype.C64,
        _ => throw new NotSupportedException($"tensor '{tensorName}' is {type}, which safetensors cannot store (it has no complex128)."),
    };

    public static ScalarType ToScalarType(SafeTensorsDtype dtype) => dtype switch
    {
        SafeTensorsDtype.BOOL => ScalarType.Bool,
        SafeTensorsDtype.U8 => ScalarType.Byte,
        SafeTensorsDtype.I8 => ScalarType.Int8,
        SafeTensorsDtype.I16 => ScalarType.Int16,
        SafeTensorsDtype.I32 => ScalarType.Int32,
        SafeTensorsDtype.I64 => ScalarType.Int64,
        SafeTensorsDtype.F16 => ScalarType.Float16,
        SafeTensorsDtype.BF16 => ScalarType.BFloat16,
        SafeTensorsDtype.F32 => ScalarType.Float32,
        SafeTensorsDtype.F64 => ScalarType.Float64,
        SafeTensorsDtype.C64 => ScalarType.ComplexFloat32,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a safetensors dtype"),
    };
}
