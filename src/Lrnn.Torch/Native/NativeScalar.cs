using System.Numerics;
using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

/// <summary>A scalar passed by value across the ABI (<c>lrnn_scalar</c>): no native object is allocated.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct NativeScalar
{
    public readonly double D;
    public readonly long I;
    public readonly double Imag;
    public readonly int Kind; // 0 floating, 1 integral, 2 bool, 3 complex

    private NativeScalar(double d, long i, double imag, int kind)
    {
        D = d;
        I = i;
        Imag = imag;
        Kind = kind;
    }

    public static NativeScalar From(double value) => new(value, 0, 0, 0);
    public static NativeScalar From(long value) => new(0, value, 0, 1);
    public static NativeScalar From(bool value) => new(0, value ? 1 : 0, 0, 2);
    public static NativeScalar From(Complex value) => new(value.Real, 0, value.Imaginary, 3);
}
