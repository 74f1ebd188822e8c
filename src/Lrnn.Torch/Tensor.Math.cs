using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Elementwise arithmetic (broadcasting) and matrix products. Scalar overloads pass the scalar by value:
// `x * 2.0` allocates exactly one native object, the result (TorchSharp's implicit Scalars leak, #1434).
public sealed partial class Tensor
{
    public Tensor add(Tensor other, double alpha = 1) => FromNative(NativeMethods.lrnn_add(Handle, other.Handle, NativeScalar.From(alpha)));
    public Tensor add(double other) => FromNative(NativeMethods.lrnn_add_scalar(Handle, NativeScalar.From(other)));
    public Tensor add(long other) => FromNative(NativeMethods.lrnn_add_scalar(Handle, NativeScalar.From(other)));
    public Tensor sub(Tensor other, double alpha = 1) => FromNative(NativeMethods.lrnn_sub(Handle, other.Handle, NativeScalar.From(alpha)));
    public Tensor sub(double other) => FromNative(NativeMethods.lrnn_sub_scalar(Handle, NativeScalar.From(other)));
    public Tensor mul(Tensor other) => FromNative(NativeMethods.lrnn_mul(Handle, other.Handle));
    public Tensor mul(double other) => FromNative(NativeMethods.lrnn_mul_scalar(Handle, NativeScalar.From(other)));
    public Tensor mul(long other) => FromNative(NativeMethods.lrnn_mul_scalar(Handle, NativeScalar.From(other)));
    public Tensor div(Tensor other) => FromNative(NativeMethods.lrnn_div(Handle, other.Handle));
    public Tensor div(double other) => FromNative(NativeMethods.lrnn_div_scalar(Handle, NativeScalar.From(other)));
    public Tensor matmul(Tensor other) => FromNative(NativeMethods.lrnn_matmul(Handle, other.Handle));
    public Tensor neg() => FromNative(NativeMethods.lrnn_neg(Handle));
    public Tensor exp() => FromNative(NativeMethods.lrnn_exp(Handle));

    // In place: return this tensor, as PyTorch does.
    public Tensor add_(Tensor other, double alpha = 1)
    {
        NativeErrors.Check(NativeMethods.lrnn_add_(Handle, other.Handle, NativeScalar.From(alpha)));
        return this;
    }

    public Tensor mul_(double other)
    {
        NativeErrors.Check(NativeMethods.lrnn_mul_scalar_(Handle, NativeScalar.From(other)));
        return this;
    }

    public Tensor copy_(Tensor source, bool nonBlocking = false)
    {
        NativeErrors.Check(NativeMethods.lrnn_copy_(Handle, source.Handle, nonBlocking ? 1 : 0));
        return this;
    }

    public Tensor zero_()
    {
        NativeErrors.Check(NativeMethods.lrnn_zero_(Handle));
        return this;
    }

    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator +(Tensor a, double b) => a.add(b);
    public static Tensor operator +(double a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator -(Tensor a, double b) => a.sub(b);
    public static Tensor operator -(double a, Tensor b) => FromNative(NativeMethods.lrnn_rsub_scalar(b.Handle, NativeScalar.From(a)));
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator *(Tensor a, double b) => a.mul(b);
    public static Tensor operator *(double a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator /(Tensor a, double b) => a.div(b);
    public static Tensor operator /(double a, Tensor b) => FromNative(NativeMethods.lrnn_rdiv_scalar(b.Handle, NativeScalar.From(a)));
    public static Tensor operator -(Tensor a) => a.neg();
}
