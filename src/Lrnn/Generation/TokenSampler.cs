namespace Lrnn.Generation;

/// <summary>
/// Picks the next token of one sequence from its logits, on the host in float64: repetition penalty, frequency and
/// presence penalties (in that order, as vLLM applies them), then greedy argmax (temperature 0) or temperature, top-k,
/// top-p and a draw from the sequence's own seeded stream.
/// </summary>
public sealed class TokenSampler(GenerationOptions options, int seed)
{
    private readonly Random _random = new(seed);

    /// <param name="logits">The real vocabulary's logits (padded rows already removed); modified in place.</param>
    /// <param name="seen">Tokens of the sequence so far (prompt and generated), for the repetition penalty.</param>
    /// <param name="generatedCounts">How often each token was generated so far (the prompt excluded), for the frequency
    /// and presence penalties; null when nothing was generated.</param>
    public long Next(Span<double> logits, IReadOnlySet<long> seen, IReadOnlyDictionary<long, int>? generatedCounts = null)
    {
        if (options.RepetitionPenalty != 1.0)
            foreach (var token in seen)
                if ((ulong)token < (ulong)logits.Length)
                    logits[(int)token] = logits[(int)token] > 0 ? logits[(int)token] / options.RepetitionPenalty : logits[(int)token] * options.RepetitionPenalty;
        if (generatedCounts is not null && (options.FrequencyPenalty != 0 || options.PresencePenalty != 0))
            foreach (var (token, count) in generatedCounts)
                if ((ulong)token < (ulong)logits.Length && count > 0)
                    logits[(int)token] -= count * options.FrequencyPenalty + options.PresencePenalty;
        if (options.Temperature == 0) return ArgMax(logits);

        // Candidates by descending logit (ties by id, so the order is reproducible).
        var order = new int[logits.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var values = logits.ToArray();
        Array.Sort(order, (a, b) => values[b] != values[a] ? values[b].CompareTo(values[a]) : a.CompareTo(b));
        var kept = options.TopK > 0 ? Math.Min(options.TopK, order.Length) : order.Length;

        var max = values[order[0]];
        var weights = new double[kept];
        var total = 0.0;
        for (var i = 0; i < kept; i++) total += weights[i] = Math.Exp((values[order[i]] - max) / options.Temperature);
        if (options.TopP < 1.0)
        {
            // The smallest prefix whose probability reaches top_p (at least one token).
            var cumulative = 0.0;
            var prefix = 0;
            while (prefix < kept && cumulative < options.TopP * total) cumulative += weights[prefix++];
            kept = Math.Max(1, prefix);
            total = cumulative;
        }
        var u = _random.NextDouble() * total;
        for (var i = 0; i < kept; i++)
            if ((u -= weights[i]) < 0) return order[i];
        return order[kept - 1];
    }

    private static long ArgMax(ReadOnlySpan<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
