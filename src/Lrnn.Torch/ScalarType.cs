namespace Lrnn.Torch;

/// <summary>Element types; the values are c10::ScalarType's, stable across libtorch 1.13 and 2.x.</summary>
public enum ScalarType : sbyte
{
    Byte = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    ComplexFloat32 = 9,
    ComplexFloat64 = 10,
    Bool = 11,
    BFloat16 = 15,
}

/// <summary>Facts about <see cref="ScalarType"/>s and the managed types that map to them.</summary>
public static class ScalarTypes
{
    public static bool IsFloatingPoint(this ScalarType t) =>
        t is ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.BFloat16;

    public static bool IsComplex(this ScalarType t) => t is ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64;

    public static bool IsIntegral(this ScalarType t, bool includeBool = false) =>
        t is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64 ||
        (includeBool && t == ScalarType.Bool);

    public static int ElementSize(this ScalarType t) => t switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unknown scalar type"),
    };

    /// <summary>The dtype whose elements have the layout of <typeparamref name="T"/>.</summary>
    public static ScalarType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return ScalarType.Float32;
        if (typeof(T) == typeof(double)) return ScalarType.Float64;
        if (typeof(T) == typeof(long)) return ScalarType.Int64;
        if (typeof(T) == typeof(int)) return ScalarType.Int32;
        if (typeof(T) == typeof(short)) return ScalarType.Int16;
        if (typeof(T) == typeof(sbyte)) return ScalarType.Int8;
        if (typeof(T) == typeof(byte)) return ScalarType.Byte;
        if (typeof(T) == typeof(bool)) return ScalarType.Bool;
        if (typeof(T) == typeof(Half)) return ScalarType.Float16;
        if (typeof(T) == typeof(BFloat16)) return ScalarType.BFloat16;
        if (typeof(T) == typeof(System.Numerics.Complex)) return ScalarType.ComplexFloat64;
        if (typeof(T) == typeof(ComplexFloat)) return ScalarType.ComplexFloat32;
        throw new NotSupportedException($"{typeof(T).Name} has no tensor dtype");
    }
}

/// <summary>A bfloat16 value (the upper 16 bits of a float32), for reading and writing BF16 tensors.</summary>
public readonly record struct BFloat16(ushort Bits)
{
    public static explicit operator float(BFloat16 v) => BitConverter.Int32BitsToSingle(v.Bits << 16);

    /// <summary>Rounds to nearest even, as libtorch does.</summary>
    public static explicit operator BFloat16(float f)
    {
        var bits = (uint)BitConverter.SingleToInt32Bits(f);
        if (float.IsNaN(f)) return new BFloat16(0x7FC0);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return new BFloat16((ushort)((bits + rounding) >> 16));
    }

    public override string ToString() => ((float)this).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A complex64 value (two float32s), for reading and writing ComplexFloat32 tensors.</summary>
public readonly record struct ComplexFloat(float Real, float Imaginary)
{
    public static implicit operator System.Numerics.Complex(ComplexFloat c) => new(c.Real, c.Imaginary);
}
