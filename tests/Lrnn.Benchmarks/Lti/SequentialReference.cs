using Lrnn.Modules;
using Lrnn.Torch;

namespace Lrnn.Benchmarks.Lti;

/// <summary>
/// A mixer's own sequential recurrence as the baseline of its parallel <see cref="Mixer.Forward"/>: the recurrent
/// <see cref="Mixer.Step"/> called once per token from a fresh cache, each call a handful of torch ops on a (B, D)
/// slice. This is what a mixer costs without its convolution (it is also how generation runs), so Forward's
/// speed-up over it is the point of the FFT path. Inference only: Step keeps its state out of the autograd graph.
/// </summary>
public static class SequentialReference
{
    /// <summary>Runs the first <paramref name="tokens"/> tokens of x (B, L, D) one by one; returns the last output (B, D).</summary>
    public static Tensor Run(Mixer mixer, Tensor x, long tokens)
    {
        using var noGrad = torch.no_grad();
        using var cache = mixer.AllocateCache(x.size(0), tokens, x.dtype, x.device);
        Tensor? y = null;
        for (long t = 0; t < tokens; t++)
        {
            using var token = x.select(1, t);                   // (B, D)
            y?.Dispose();
            y = mixer.Step(token, cache);                       // (B, D)
        }
        return y!;
    }
}
