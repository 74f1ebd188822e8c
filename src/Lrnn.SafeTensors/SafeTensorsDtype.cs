namespace Lrnn.SafeTensors;

/// <summary>
/// The element types this library reads and writes. The numeric values follow the format's alignment order
/// (<c>Dtype</c> in safetensors' tensor.rs, whose derived ordering the writer sorts by), restricted to the
/// types that map to a libtorch dtype here; the 8-bit float, sub-byte and unsigned 16/32/64 types are refused.
/// </summary>
public enum SafeTensorsDtype
{
    BOOL = 0,
    U8 = 4,
    I8 = 5,
    I16 = 11,
    F16 = 13,
    BF16 = 14,
    I32 = 15,
    F32 = 17,
    /// <summary>complex64: two little-endian float32s, real part first.</summary>
    C64 = 18,
    F64 = 19,
    I64 = 20,
}

/// <summary>Facts about <see cref="SafeTensorsDtype"/>: element size and the name used in headers.</summary>
public static class SafeTensorsDtypes
{
    /// <summary>Every supported dtype, as spelled in headers.</summary>
    public static IReadOnlyList<SafeTensorsDtype> All { get; } = Enum.GetValues<SafeTensorsDtype>();

    public static int ElementSize(this SafeTensorsDtype dtype) => dtype switch
    {
        SafeTensorsDtype.BOOL or SafeTensorsDtype.U8 or SafeTensorsDtype.I8 => 1,
        SafeTensorsDtype.I16 or SafeTensorsDtype.F16 or SafeTensorsDtype.BF16 => 2,
        SafeTensorsDtype.I32 or SafeTensorsDtype.F32 => 4,
        SafeTensorsDtype.C64 or SafeTensorsDtype.F64 or SafeTensorsDtype.I64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a safetensors dtype"),
    };

    /// <summary>The header spelling (the enum names are the spellings, so this is exact).</summary>
    public static string HeaderName(this SafeTensorsDtype dtype) =>
        Enum.IsDefined(dtype) ? dtype.ToString() : throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a safetensors dtype");

    private static readonly (SafeTensorsDtype Dtype, string Name, byte[] Utf8)[] s_spellings =
        Enum.GetValues<SafeTensorsDtype>().Select(d => (d, d.ToString(), System.Text.Encoding.UTF8.GetBytes(d.ToString()))).ToArray();

    /// <summary>Parses a header spelling; case-sensitive, no aliases (the reference accepts none either).</summary>
    public static bool TryParse(string text, out SafeTensorsDtype dtype)
    {
        foreach (var (candidate, name, _) in s_spellings)
        {
            if (string.Equals(name, text, StringComparison.Ordinal))
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    /// <summary>As <see cref="TryParse"/>, on the UTF-8 bytes of an unescaped header string (no string allocated).</summary>
    internal static bool TryParseUtf8(ReadOnlySpan<byte> text, out SafeTensorsDtype dtype)
    {
        foreach (var (candidate, _, utf8) in s_spellings)
        {
            if (text.SequenceEqual(utf8))
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }
}
