using Lrnn.Inference;
using Lrnn.Torch;

namespace Lrnn.Modules;

/// <summary>
/// What a full-sequence mixer call gets besides its input. As in lrnnx, <see cref="Lengths"/> and
/// <see cref="IntegrationTimesteps"/> are offered to every mixer and used by those that define them: the causal
/// LTI mixers (LRU, attention) ignore both, since right padding cannot change the outputs of earlier positions.
/// </summary>
public sealed record MixerContext
{
    public static readonly MixerContext None = new();

    /// <summary>(B) int64: valid tokens per sequence (right padding after them).</summary>
    public Tensor? Lengths { get; init; }

    /// <summary>(B, L): per-token integration timesteps of event-driven (LTV) mixers.</summary>
    public Tensor? IntegrationTimesteps { get; init; }

    /// <summary>A cache to prefill: the mixer leaves in it the state after the last token of the input.</summary>
    public MixerCache? Cache { get; init; }
}
