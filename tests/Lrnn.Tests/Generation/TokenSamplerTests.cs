using Lrnn.Generation;
using Xunit;

namespace Lrnn.Tests.Generation;

public sealed class TokenSamplerTests
{
    private static readonly double[] Logits = [1.0, 3.0, -2.0, 2.5, 0.0];
    private static readonly HashSet<long> Nothing = [];

    private static long Pick(GenerationOptions options, int seed = 0, IReadOnlySet<long>? seen = null) =>
        new TokenSampler(options, seed).Next(Logits.ToArray(), seen ?? Nothing);

    [Fact]
    public void GreedyPicksTheArgMaxAndTopOneOrTinyTopPAgree()
    {
        Assert.Equal(1, Pick(new GenerationOptions { Temperature = 0 }));
        for (var seed = 0; seed < 20; seed++)
        {
            Assert.Equal(1, Pick(new GenerationOptions { TopK = 1 }, seed));
            Assert.Equal(1, Pick(new GenerationOptions { TopP = 0.01 }, seed));
        }
    }

    [Fact]
    public void RepetitionPenaltyDividesPositiveAndMultipliesNegativeLogits()
    {
        // Token 1 (3.0 → 1.5) falls below token 3 (2.5); a penalised negative logit only gets worse.
        Assert.Equal(3, Pick(new GenerationOptions { Temperature = 0, RepetitionPenalty = 2 }, seen: new HashSet<long> { 1 }));
        var logits = Logits.ToArray();
        new TokenSampler(new GenerationOptions { Temperature = 0, RepetitionPenalty = 2 }, 0).Next(logits, new HashSet<long> { 1, 2 });
        Assert.Equal([1.0, 1.5, -4.0, 2.5, 0.0], logits);
    }

    [Fact]
    public void FrequencyAndPresencePenaltiesSubtractCountTimesFrequencyPlusPresence()
    {
        // OpenAI's definition: logit[j] −= c[j]·α_frequency + [c[j] > 0]·α_presence, after the repetition penalty.
        var counts = new Dictionary<long, int> { [1] = 3, [3] = 1, [4] = 0 };
        var options = new GenerationOptions { Temperature = 0, RepetitionPenalty = 2, FrequencyPenalty = 0.25, PresencePenalty = 0.5 };
        var logits = Logits.ToArray();
        var token = new TokenSampler(options, 0).Next(logits, new HashSet<long> { 1, 3 }, counts);
        double[] expected = [1.0, 3.0 / 2 - 3 * 0.25 - 0.5, -2.0, 2.5 / 2 - 1 * 0.25 - 0.5, 0.0];
        Assert.Equal(expected, logits);
        Assert.Equal(0, token);                                            // 1.0 is now the largest
        // A negative presence penalty favours tokens already generated.
        Assert.Equal(2, new TokenSampler(new GenerationOptions { Temperature = 0, PresencePenalty = -10 }, 0)
            .Next(Logits.ToArray(), Nothing, new Dictionary<long, int> { [2] = 1 }));
    }

    [Theory]
    [InlineData(1.0, 0, 1.0)]
    [InlineData(0.7, 0, 1.0)]
    [InlineData(1.0, 3, 1.0)]
    [InlineData(1.0, 0, 0.8)]
    public void DrawsFollowTheFilteredSoftmax(double temperature, int topK, double topP)
    {
        // Reference: softmax(logits / T), restricted to the top-k, then to the smallest top-p nucleus, renormalised.
        var order = Enumerable.Range(0, Logits.Length).OrderByDescending(i => Logits[i]).ToArray();
        var weights = order.Select(i => Math.Exp(Logits[i] / temperature)).ToArray();
        var kept = topK > 0 ? topK : weights.Length;
        var total = weights.Take(kept).Sum();
        int nucleus = 0;
        for (double c = 0; nucleus < kept && c < topP * total; nucleus++) c += weights[nucleus];
        var expected = new double[Logits.Length];
        var norm = weights.Take(nucleus).Sum();
        for (var j = 0; j < nucleus; j++) expected[order[j]] = weights[j] / norm;

        const int draws = 20000;
        var options = new GenerationOptions { Temperature = temperature, TopK = topK, TopP = topP };
        var sampler = new TokenSampler(options, seed: 42);
        var counts = new double[Logits.Length];
        for (var n = 0; n < draws; n++) counts[sampler.Next(Logits.ToArray(), Nothing)]++;
        for (var i = 0; i < Logits.Length; i++)
        {
            // 5 standard deviations of a binomial proportion; a filtered-out token is never drawn.
            var tolerance = expected[i] == 0 ? 0 : 5 * Math.Sqrt(expected[i] * (1 - expected[i]) / draws);
            Assert.True(Math.Abs(counts[i] / draws - expected[i]) <= tolerance,
                $"token {i}: frequency {counts[i] / draws:F4}, expected {expected[i]:F4} ± {tolerance:F4}");
        }
    }
}
