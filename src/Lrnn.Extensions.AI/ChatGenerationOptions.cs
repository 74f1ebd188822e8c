using Lrnn.Generation;
using Microsoft.Extensions.AI;

namespace Lrnn.Extensions.AI;

/// <summary>Maps a request's <see cref="ChatOptions"/> onto <see cref="GenerationOptions"/>: a null field keeps the client's default.</summary>
public static class ChatGenerationOptions
{
    /// <summary>
    /// Temperature, TopP, TopK, MaxOutputTokens, Seed, FrequencyPenalty and PresencePenalty override
    /// <paramref name="defaults"/>; <paramref name="endTokens"/> join the default stop tokens. Stop strings are text,
    /// matched by <see cref="LrnnChatClient"/> on the decoded reply. Bad values throw <see cref="ArgumentOutOfRangeException"/>
    /// naming the field.
    /// </summary>
    public static GenerationOptions From(ChatOptions? options, GenerationOptions defaults, IEnumerable<long> endTokens)
    {
        var result = defaults with
        {
            Temperature = options?.Temperature ?? defaults.Temperature,
            TopP = options?.TopP ?? defaults.TopP,
            TopK = options?.TopK ?? defaults.TopK,
            MaxNewTokens = options?.MaxOutputTokens ?? defaults.MaxNewTokens,
            Seed = options?.Seed is { } seed ? FoldSeed(seed) : defaults.Seed,
            FrequencyPenalty = options?.FrequencyPenalty ?? defaults.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty ?? defaults.PresencePenalty,
            StopTokens = defaults.StopTokens.Concat(endTokens).Distinct().ToArray(),
        };
        result.Validate();
        return result;
    }

    // ChatOptions.Seed is 64-bit, the sampler's 32-bit: seeds in int range map to themselves, others fold their halves.
    private static int FoldSeed(long seed) => seed is >= int.MinValue and <= int.MaxValue ? (int)seed : unchecked((int)seed ^ (int)(seed >> 32));
}
