using Lrnn.Torch;

namespace Lrnn.Modules;

/// <summary>What one <see cref="Mixer.Step"/> gets besides its token and cache (the step's <see cref="MixerContext"/>).</summary>
public sealed record StepContext
{
    public static readonly StepContext None = new();

    /// <summary>(B) or (B, 1): the token's integration timestep for event-driven mixers (Mamba, S5LTV); null: a unit timestep.</summary>
    public Tensor? IntegrationTimestep { get; init; }
}
