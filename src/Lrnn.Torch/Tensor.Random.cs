using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// In-place random fills.
public sealed partial class Tensor
{
    /// <summary>Fills with U[from, to) draws, from <paramref name="generator"/> or the device's default one.</summary>
    public Tensor uniform_(double from = 0, double to = 1, Generator? generator = null)
    {
        NativeErrors.Check(NativeMethods.lrnn_uniform_(Handle, from, to, Generator.HandleOf(generator)));
        return this;
    }

    /// <summary>Fills with N(mean, std²) draws, from <paramref name="generator"/> or the device's default one.</summary>
    public Tensor normal_(double mean = 0, double std = 1, Generator? generator = null)
    {
        NativeErrors.Check(NativeMethods.lrnn_normal_(Handle, mean, std, Generator.HandleOf(generator)));
        return this;
    }
}
