namespace Lrnn.Modules.Lti;

/// <summary>How a Centaurus layer connects channels and states (lrnnx's <c>mode</c> kwarg; Centaurus paper §3).</summary>
public enum CentaurusMode
{
    /// <summary>Bottleneck: dense B (N, H) and C (H, N), sub-states mixed by E. lrnnx's default.</summary>
    Neck,

    /// <summary>Pointwise bottleneck ("pw", "s5"): N·M independent single-input lanes, dense B (NM, H), C (H, NM), no E.</summary>
    Pointwise,

    /// <summary>Depthwise separable: one state per channel (d_state = d_model), diagonal B and C.</summary>
    Dws,

    /// <summary>Full: one state per (output, input) channel pair (d_state = d_model²), a scalar B and C each.</summary>
    Full,
}

/// <summary>lrnnx's names of the <see cref="CentaurusMode"/> values.</summary>
public static class CentaurusModes
{
    /// <summary>Accepted names, aliases included ("pw" and "s5" are lrnnx's aliases of "pointwise").</summary>
    public static readonly IReadOnlyList<string> Names = ["neck", "pointwise", "pw", "s5", "dws", "full"];

    public static CentaurusMode Parse(string name) => name switch
    {
        "neck" => CentaurusMode.Neck,
        "pointwise" or "pw" or "s5" => CentaurusMode.Pointwise,
        "dws" => CentaurusMode.Dws,
        "full" => CentaurusMode.Full,
        _ => throw new ArgumentException($"unknown Centaurus mode '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>Why d_state does not suit <paramref name="mode"/> (dws: d_state = d_model; full: d_state = d_model²), or null.</summary>
    public static string? StateSizeProblem(CentaurusMode mode, long dModel, long dState) => mode switch
    {
        CentaurusMode.Dws when dState != dModel =>
            $"Centaurus mode 'dws' has one state per channel, so it needs d_state = d_model; got d_state={dState}, d_model={dModel}",
        CentaurusMode.Full when dState != dModel * dModel =>
            $"Centaurus mode 'full' has one state per (output, input) channel pair, so it needs d_state = d_model² = {dModel * dModel}; got d_state={dState}",
        _ => null,
    };
}
