using Lrnn.Torch.Native;

namespace Lrnn.Torch;

/// <summary>
/// A random number generator with its own state, for reproducible streams independent of the global one
/// (<c>torch.randn(shape, generator: g)</c>). Owns a native generator; dispose it.
/// </summary>
public sealed class Generator : IDisposable
{
    /// <summary>The seed a new generator starts from, as in PyTorch (c10::default_rng_seed_val).</summary>
    public const ulong DefaultSeed = 67280421310721;

    private readonly GeneratorHandle _handle;

    /// <summary>A new generator on <paramref name="device"/> (default CPU) seeded with <paramref name="seed"/>.</summary>
    public Generator(Device? device = null, ulong seed = DefaultSeed)
    {
        var d = device ?? Device.CPU;
        _handle = Own(NativeMethods.lrnn_generator_new((int)d.Type, d.Index, seed));
    }

    private Generator(GeneratorHandle handle) => _handle = handle;

    /// <summary>A handle on the global generator of <paramref name="device"/> (what unseeded factories use).</summary>
    internal static Generator Default(Device device) =>
        new(Own(NativeMethods.lrnn_default_generator((int)device.Type, device.Index)));

    private static GeneratorHandle Own(IntPtr ptr) =>
        ptr == IntPtr.Zero ? throw NativeErrors.Last() : new GeneratorHandle(ptr);

    internal GeneratorHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }

    public Device device
    {
        get
        {
            NativeErrors.Check(NativeMethods.lrnn_generator_device(Handle, out var type, out var index));
            return new Device((DeviceType)type, index);
        }
    }

    /// <summary>Resets the state to the one <paramref name="seed"/> gives; returns this generator.</summary>
    public Generator manual_seed(ulong seed)
    {
        NativeErrors.Check(NativeMethods.lrnn_generator_manual_seed(Handle, seed));
        return this;
    }

    /// <summary>The seed the current stream started from.</summary>
    public ulong initial_seed()
    {
        NativeErrors.Check(NativeMethods.lrnn_generator_initial_seed(Handle, out var seed));
        return seed;
    }

    /// <summary>Reseeds from a non-deterministic source; returns the seed chosen.</summary>
    public ulong seed()
    {
        NativeErrors.Check(NativeMethods.lrnn_generator_seed(Handle, out var value));
        return value;
    }

    /// <summary>The full state, to restore later with <see cref="set_state"/> on a generator of the same device type.</summary>
    public byte[] get_state()
    {
        using var state = Tensor.FromNative(NativeMethods.lrnn_generator_get_state(Handle));
        return state.ToArray<byte>();
    }

    public void set_state(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var t = torch.tensor(state);
        NativeErrors.Check(NativeMethods.lrnn_generator_set_state(Handle, t.Handle));
    }

    public void Dispose() => _handle.Dispose();

    internal static GeneratorHandle HandleOf(Generator? generator) => generator?.Handle ?? GeneratorHandle.Null;
}
