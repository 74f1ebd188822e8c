namespace Lrnn.Losses;

/// <summary>
/// The loss registry (KempnerForge's <c>build_loss_fn</c>): a <see cref="LossConfig"/> in, a composed
/// <see cref="LanguageModelingLoss"/> (cross-entropy implementation + z-loss + ignore_index + label smoothing) out.
/// </summary>
public static class LossFunctions
{
    public const string Default = "default";
    public const string Chunked = "chunked";
    public const string FusedLinear = "fused_linear";

    private static readonly Dictionary<string, Func<LossConfig, CrossEntropyImplementation>> s_implementations = new()
    {
        [Default] = _ => new DefaultCrossEntropy(),
        [Chunked] = c => new ChunkedCrossEntropy(c.ChunkSize),
        [FusedLinear] = c => new FusedLinearCrossEntropy(c.ChunkSize),
    };

    /// <summary>The registered implementation names.</summary>
    public static IReadOnlyCollection<string> Names => s_implementations.Keys;

    /// <summary>Builds the loss <paramref name="config"/> describes (null: the default CE without z-loss).</summary>
    public static LanguageModelingLoss Build(LossConfig? config = null)
    {
        config ??= new LossConfig();
        var problems = config.Problems().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(config));
        return new LanguageModelingLoss(s_implementations[config.Implementation](config), config.ZLossMultiplier, config.IgnoreIndex,
            config.LabelSmoothing);
    }
}
