using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Seeding, global RNG state and random factories. Every factory draws from `generator` when given, else from
// the default generator of the target device (seeded by manual_seed).
public static partial class torch
{
    /// <summary>Seeds the CPU generator and the default generator of every CUDA device.</summary>
    public static void manual_seed(ulong seed) => NativeErrors.Check(NativeMethods.lrnn_manual_seed(seed));

    /// <summary>The state of the global CPU generator, for an exact resume with <see cref="set_rng_state"/>.</summary>
    public static byte[] get_rng_state()
    {
        using var g = Generator.Default(Device.CPU);
        return g.get_state();
    }

    public static void set_rng_state(byte[] state)
    {
        using var g = Generator.Default(Device.CPU);
        g.set_state(state);
    }

    /// <summary>U[0, 1) draws of the given shape.</summary>
    public static unsafe Tensor rand(long[] shape, Generator? generator = null, ScalarType? dtype = null, Device? device = null,
        bool requires_grad = false) => Draw(&NativeMethods.lrnn_rand, shape, generator, dtype, device, requires_grad);

    /// <summary>N(0, 1) draws of the given shape.</summary>
    public static unsafe Tensor randn(long[] shape, Generator? generator = null, ScalarType? dtype = null, Device? device = null,
        bool requires_grad = false) => Draw(&NativeMethods.lrnn_randn, shape, generator, dtype, device, requires_grad);

    private static unsafe Tensor Draw(delegate*<long*, int, GeneratorHandle, int, int, int, int, IntPtr> draw, long[] shape,
        Generator? generator, ScalarType? dtype, Device? device, bool requiresGrad)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = shape)
            return Tensor.FromNative(draw(p, shape.Length, Generator.HandleOf(generator), DT(dtype), (int)d.Type, d.Index, requiresGrad ? 1 : 0));
    }

    public static Tensor rand(params long[] shape) => rand(shape, null);
    public static Tensor randn(params long[] shape) => randn(shape, null);

    /// <summary>Integers drawn uniformly from [low, high); Int64 unless <paramref name="dtype"/> says otherwise.</summary>
    public static unsafe Tensor randint(long low, long high, long[] shape, Generator? generator = null, ScalarType? dtype = null,
        Device? device = null)
    {
        if (high <= low)
            throw new ArgumentOutOfRangeException(nameof(high), $"randint needs low < high, got [{low}, {high}).");
        var d = device ?? Device.CPU;
        fixed (long* p = shape)
            return Tensor.FromNative(NativeMethods.lrnn_randint(low, high, p, shape.Length, Generator.HandleOf(generator),
                (int)(dtype ?? ScalarType.Int64), (int)d.Type, d.Index, 0));
    }

    /// <summary>
    /// <paramref name="num_samples"/> category indices per row of <paramref name="probs"/> ((C) or (B, C),
    /// non-negative weights that need not sum to 1), with or without replacement. Int64 result, (n) or (B, n).
    /// </summary>
    public static Tensor multinomial(Tensor probs, long num_samples, bool replacement = false, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(probs);
        var s = probs.shape;
        if (s.Length is < 1 or > 2)
            throw new ArgumentException($"multinomial needs probabilities of shape (C) or (B, C), got {Tensor.Dims(s)}.", nameof(probs));
        if (!replacement && num_samples > s[^1])
            throw new ArgumentException($"multinomial without replacement cannot draw {num_samples} samples from {s[^1]} categories.", nameof(num_samples));
        return Tensor.FromNative(NativeMethods.lrnn_multinomial(probs.Handle, num_samples, replacement ? 1 : 0, Generator.HandleOf(generator)));
    }

    /// <summary>0/1 draws with success probability <paramref name="probs"/> (elementwise), in probs' dtype.</summary>
    public static Tensor bernoulli(Tensor probs, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(probs);
        return Tensor.FromNative(NativeMethods.lrnn_bernoulli(probs.Handle, Generator.HandleOf(generator)));
    }
}
