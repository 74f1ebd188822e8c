namespace Lrnn.Generation;

/// <summary>How <see cref="TextGeneration.Generate"/> picks tokens. The defaults sample with temperature 1 and nothing else.</summary>
public sealed record GenerationOptions
{
    /// <summary>Tokens to generate per prompt at most (a stop token ends a sequence earlier).</summary>
    public int MaxNewTokens { get; init; } = 128;

    /// <summary>Divides the logits before sampling; 0 picks the most likely token (greedy decoding, no randomness).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Sample among the <see cref="TopK"/> most likely tokens only; 0 disables.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling: among the most likely tokens whose probabilities first reach <see cref="TopP"/>; 1 disables.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>
    /// CTRL's repetition penalty (as Hugging Face's): the logit of every token already in the sequence (prompt or
    /// generated) is divided by this when positive and multiplied by it when negative; 1 disables.
    /// </summary>
    public double RepetitionPenalty { get; init; } = 1.0;

    /// <summary>
    /// OpenAI's frequency penalty: the logit of a token already generated c times is lowered by c × this (tokens of the
    /// prompt do not count; negative values favour repetition); 0 disables.
    /// </summary>
    public double FrequencyPenalty { get; init; }

    /// <summary>OpenAI's presence penalty: the logit of every token generated at least once is lowered by this; 0 disables.</summary>
    public double PresencePenalty { get; init; }

    /// <summary>Tokens that end a sequence (for example EOS); the stop token itself is not returned.</summary>
    public IReadOnlyCollection<long> StopTokens { get; init; } = [];

    /// <summary>
    /// Seeds the sampling: sequence i of a batch draws from its own stream seeded with <c>Seed + i</c>, so its
    /// continuation depends only on its prompt and that seed, never on the other prompts of the batch.
    /// </summary>
    public int Seed { get; init; }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxNewTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(Temperature);
        ArgumentOutOfRangeException.ThrowIfNegative(TopK);
        if (TopP is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RepetitionPenalty);
        if (!double.IsFinite(FrequencyPenalty)) throw new ArgumentOutOfRangeException(nameof(FrequencyPenalty), FrequencyPenalty, "must be finite");
        if (!double.IsFinite(PresencePenalty)) throw new ArgumentOutOfRangeException(nameof(PresencePenalty), PresencePenalty, "must be finite");
    }
}
