using Newtonsoft.Json;

namespace Lrnn.Config;

/// <summary>
/// lrnnx's <c>initializer_cfg</c>: the keyword arguments of its <c>_init_weights</c> that a caller may set.
/// lrnnx also has <c>n_residuals_per_layer</c>, but passing it raises a duplicate-keyword TypeError there
/// (the backbone passes it itself), so it is not a field here either.
/// </summary>
public sealed record InitializerConfig
{
    /// <summary>Standard deviation of the embedding's normal initialisation.</summary>
    [JsonProperty("initializer_range")]
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>Re-draw <c>out_proj.weight</c> and <c>fc2.weight</c> and scale them by 1/√n_layer (GPT-2's scheme).</summary>
    [JsonProperty("rescale_prenorm_residual")]
    public bool RescalePrenormResidual { get; init; } = true;
}
