using Lrnn.Losses;
using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Heads;

/// <summary>
/// The output head of a language model: <c>Forward(hidden)</c>, hidden states (..., H) → logits (..., V), and
/// <c>Forward(hidden, labels, options)</c>, the training loss computed by <see cref="Loss"/>'s implementation.
/// Every head is a linear map <c>logits = scale ⊙ (h·Wᵀ) + bias</c> of its (optionally normalised) input, described
/// by <see cref="WeightBlocks"/>, <see cref="OutputBias"/> and <see cref="LogitScale"/>, which is what lets every
/// loss implementation (the fused one included) serve every head.
/// </summary>
public abstract class LanguageModelHead : Module, IVocabularyProjection
{
    protected LanguageModelHead(long dModel, long vocabSize)
    {
        DModel = dModel;
        VocabSize = vocabSize;
    }

    public long DModel { get; }

    /// <summary>The width of the logits.</summary>
    public long VocabSize { get; }

    /// <summary>The loss that <c>Forward(hidden, labels, options)</c> computes; the default CE unless configured.</summary>
    public LanguageModelingLoss Loss { get; set; } = LossFunctions.Build();

    /// <summary>The output matrix (V, H) as its row blocks in vocabulary order (one block unless the vocabulary is split).</summary>
    public abstract IReadOnlyList<Tensor> WeightBlocks { get; }

    /// <summary>The output matrix (V, H) when the head has a single one; a split head throws (use its splits).</summary>
    public virtual Tensor weight => WeightBlocks.Count == 1
        ? WeightBlocks[0]
        : throw new InvalidOperationException($"{GetType().Name} keeps its vocabulary in {WeightBlocks.Count} matrices and has no single weight");

    /// <summary>The logits' bias (V), or null.</summary>
    public virtual Tensor? OutputBias => null;

    /// <summary>A new tensor (V) multiplying the logits before the bias (differentiable in the head's parameters), or null.</summary>
    public virtual Tensor? LogitScale() => null;

    /// <summary>
    /// Restores what an optimizer step breaks in this head's parameters (the normalized head's unit rows); the default
    /// head has no constraint. <c>LrnnLMHeadModel.AfterOptimizerStep</c> calls it, and the trainer calls that
    /// after every optimizer step.
    /// </summary>
    public virtual void AfterOptimizerStep() { }

    /// <summary>The head's input transform (a norm); a new handle even when it is the identity.</summary>
    protected virtual Tensor PrepareHidden(Tensor hidden) => hidden.alias();

    /// <summary>Prepared hidden states (..., H) → logits (..., V) in the parameters' dtype.</summary>
    public Tensor Project(Tensor hidden)
    {
        using var scale = LogitScale();
        var blocks = WeightBlocks;
        if (blocks.Count == 1 && scale is null) return torch.nn.functional.linear(hidden, blocks[0], OutputBias);
        using var scope = torch.NewDisposeScope();
        var logits = blocks.Count == 1
            ? torch.nn.functional.linear(hidden, blocks[0])
            : torch.cat(blocks.Select(w => torch.nn.functional.linear(hidden, w)).ToList(), -1);   // (..., V)
        if (scale is not null) logits = logits * scale;
        if (OutputBias is { } bias) logits = logits + bias;
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>hidden (..., H) → logits (..., V).</summary>
    public Tensor Forward(Tensor hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        using var prepared = PrepareHidden(hidden);
        return Project(prepared);
    }

    /// <summary>
    /// hidden (B, L, H), labels (B, L) int64 aligned with the hidden states (<see cref="LanguageModelingLabels.FromInputIds"/>)
    /// → the loss, its logged parts and optionally the logits (OLMo-core's LMHead.forward with labels).
    /// </summary>
    public LMOutput Forward(Tensor hidden, Tensor labels, LMLossOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= LMLossOptions.Default;
        if (hidden.dim() != 3 || labels.dim() != 2 || labels.size(0) != hidden.size(0) || labels.size(1) != hidden.size(1))
            throw new ArgumentException(
                $"hidden must be (B, L, H) and labels (B, L); got hidden [{string.Join(", ", hidden.shape)}], labels [{string.Join(", ", labels.shape)}]",
                nameof(labels));
        if (labels.dtype != ScalarType.Int64) throw new ArgumentException($"labels must be int64, got {labels.dtype}", nameof(labels));
        var (kept, keptLabels) = KeepPositions(hidden, labels, options);
        using (kept)
        using (keptLabels)
        using (var prepared = PrepareHidden(kept))
            return Loss.Compute(this, prepared, keptLabels, options);
    }

    // OLMo-core's logits_to_keep: the last K positions, or the positions (B, K) given per sequence.
    private static (Tensor Hidden, Tensor Labels) KeepPositions(Tensor hidden, Tensor labels, LMLossOptions options)
    {
        if (options.PositionsToKeep is { } positions)
        {
            if (positions.dim() != 2 || positions.size(0) != hidden.size(0))
                throw new ArgumentException($"PositionsToKeep must be (B, K) with B = {hidden.size(0)}; got [{string.Join(", ", positions.shape)}]", nameof(options));
            using var column = positions.unsqueeze(-1);                                  // (B, K, 1)
            using var index = column.expand([-1, -1, hidden.size(2)]);                    // (B, K, H)
            return (hidden.gather(1, index), labels.gather(1, positions));
        }
        var length = hidden.size(1);
        if (options.LogitsToKeep <= 0) return (hidden.alias(), labels.alias());
        if (options.LogitsToKeep > length)
            throw new ArgumentOutOfRangeException(nameof(options), $"LogitsToKeep ({options.LogitsToKeep}) exceeds the sequence length ({length})");
        return (hidden.narrow(1, length - options.LogitsToKeep, options.LogitsToKeep), labels.narrow(1, length - options.LogitsToKeep, options.LogitsToKeep));
    }
}
