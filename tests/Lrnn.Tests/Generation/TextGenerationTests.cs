using Lrnn.Generation;
using Lrnn.Models;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Training.TrainingTestData;

namespace Lrnn.Tests.Generation;

public sealed class TextGenerationTests
{
    private static readonly long[][] Prompts =
    [
        Tokenizer.Encode("In the", addBos: true),
        Tokenizer.Encode("And God said", addBos: true),
        Tokenizer.Encode("Let", addBos: true),
    ];

    private static LrnnLMHeadModel Model(string device) => new(ModelConfig(16), ScalarType.Float64, device);

    private static readonly GenerationOptions Sampling = new() { MaxNewTokens = 12, Temperature = 1.3, TopK = 40, TopP = 0.95, RepetitionPenalty = 1.2, Seed = 7 };

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GreedyEqualsTheArgMaxOfTheFullForwardAtEveryStep(string device)
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model(device);
        var prompt = Prompts[1];
        var generated = model.Generate([prompt], new GenerationOptions { Temperature = 0, MaxNewTokens = 10 })[0];

        // Reference: the whole sequence through Forward each time, argmax over the real vocabulary.
        var ids = prompt.ToList();
        for (var n = 0; n < 10; n++)
        {
            using var input = torch.tensor(ids.ToArray(), [1, ids.Count], device);
            using var logits = model.Forward(input, numLastTokens: 1);
            var row = Lrnn.Tests.Model.ModelTestData.Doubles(logits).Take(Tokenizer.VocabSize).ToArray();
            ids.Add(Array.IndexOf(row, row.Max()));
        }
        Assert.Equal(ids.Skip(prompt.Length), generated);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BatchedPromptsOfDifferentLengthsEqualEachPromptAlone(string device)
    {
        using var model = Model(device);
        foreach (var options in new[] { Sampling, Sampling with { Temperature = 0 } })
        {
            var batched = model.Generate(Prompts, options);
            for (var i = 0; i < Prompts.Length; i++)
            {
                var alone = model.Generate([Prompts[i]], options with { Seed = options.Seed + i })[0];
                Assert.Equal(alone, batched[i]);
                Assert.Equal(12, alone.Length);
            }
        }
    }

    [Fact]
    public void AFixedSeedIsDeterministicAndAnotherSeedDiffers()
    {
        using var model = Model("cpu");
        var first = model.Generate(Prompts, Sampling);
        Assert.Equal(first, model.Generate(Prompts, Sampling));
        Assert.NotEqual(first, model.Generate(Prompts, Sampling with { Seed = 8 }));
    }

    [Fact]
    public void AStopTokenEndsItsSequenceOnly()
    {
        using var model = Model("cpu");
        var options = Sampling with { MaxNewTokens = 16 };
        var free = model.Generate(Prompts, options);
        // Stop on the 4th token of sequence 0: it ends there (without the stop token); a sequence that never
        // draws that token runs to MaxNewTokens, identical to the free run.
        var stop = free[0][3];
        var stopped = model.Generate(Prompts, options with { StopTokens = [stop] });
        for (var i = 0; i < Prompts.Length; i++)
        {
            var at = Array.IndexOf(free[i], stop);
            Assert.Equal(at < 0 ? free[i] : free[i][..at], stopped[i]);
        }
        Assert.True(stopped[0].Length <= 3);
    }

    [Fact]
    public async Task StreamingYieldsTheSameTokensAsTheyAreChosen()
    {
        using var model = Model("cpu");
        var expected = model.Generate(Prompts, Sampling);
        var callback = new List<GeneratedToken>();
        model.Generate(Prompts, Sampling, callback.Add);
        var streamed = new List<GeneratedToken>();
        await foreach (var token in model.GenerateAsync(Prompts, Sampling)) streamed.Add(token);
        Assert.Equal(callback, streamed);
        for (var i = 0; i < Prompts.Length; i++)
            Assert.Equal(expected[i], streamed.Where(t => t.Sequence == i).Select(t => t.Token));
        // Tokens come as they are chosen: the shortest prompt ("Let") starts generating first.
        Assert.Equal([2, 2, 2], streamed.Take(3).Select(t => t.Sequence));

        // Leaving the loop early stops the generation thread; the model is then free for the next call.
        await foreach (var token in model.GenerateAsync(Prompts, Sampling with { MaxNewTokens = 1000 }))
            if (token.Sequence == 0) break;
        Assert.Equal(expected, model.Generate(Prompts, Sampling));
    }

    [Fact]
    public void CancellationStopsBeforeTheNextTokenAndThrows()
    {
        using var model = Model("cpu");
        using var cancel = new CancellationTokenSource();
        var seen = new List<GeneratedToken>();
        Assert.Throws<OperationCanceledException>(() => model.Generate([Prompts[0]], Sampling with { MaxNewTokens = 100 }, token =>
        {
            seen.Add(token);
            if (seen.Count == 3) cancel.Cancel();
        }, cancel.Token));
        Assert.Equal(3, seen.Count);
        Assert.Equal(model.Generate([Prompts[0]], Sampling with { MaxNewTokens = 3 })[0], seen.Select(t => t.Token));
        Assert.Throws<OperationCanceledException>(() => model.Generate([Prompts[0]], Sampling, cancellationToken: cancel.Token));
    }

    [Fact]
    public void FrequencyAndPresencePenaltiesCountOnlyGeneratedTokens()
    {
        // Reference: greedy decoding through the full forward, each logit lowered by count·0.6 + 0.9 once generated.
        using var model = Model("cpu");
        var prompt = Prompts[1];
        var options = new GenerationOptions { Temperature = 0, MaxNewTokens = 12, FrequencyPenalty = 0.6, PresencePenalty = 0.9 };
        var generated = model.Generate([prompt], options)[0];
        var ids = prompt.ToList();
        var counts = new Dictionary<int, int>();
        for (var n = 0; n < 12; n++)
        {
            using var input = torch.tensor(ids.ToArray(), [1, ids.Count], "cpu");
            using var logits = model.Forward(input, numLastTokens: 1);
            var row = Lrnn.Tests.Model.ModelTestData.Doubles(logits).Take(Tokenizer.VocabSize).ToArray();
            foreach (var (token, count) in counts) row[token] -= count * 0.6 + 0.9;
            var next = Array.IndexOf(row, row.Max());
            counts[next] = counts.GetValueOrDefault(next) + 1;
            ids.Add(next);
        }
        Assert.Equal(ids.Skip(prompt.Length), generated);
        Assert.NotEqual(generated, model.Generate([prompt], options with { FrequencyPenalty = 0, PresencePenalty = 0 })[0]);
    }
}
