using System.Diagnostics;
using Lrnn.Data;
using Lrnn.Tokenization;
using Xunit;

namespace Lrnn.Tests.Tokenization;

public sealed class ByteLevelBpeTrainerTests
{
    // Pre-tokenized: "aaab", " aab", " ab" (a = 97, b = 98, space = 32 written Ġ). Pair counts: (a,a) 3 (two in "aaab"),
    // (a,b) 3, (Ġ,a) 2. Tie at 3: the smaller left, then right id wins → (a,a) → "aa" = 259. Words: [aa,a,b], [Ġ,aa,b],
    // [Ġ,a,b]; counts: (a,b) 2, every other pair 1 → (a,b) → "ab" = 260. Words: [aa,ab], [Ġ,aa,b], [Ġ,ab]; all pairs
    // occur once: with min frequency 2 training stops; with 1 the ties go by ids: (Ġ,aa) (32,259), (Ġ,ab) (32,260),
    // (aa,ab) (259,260), then (Ġaa,b) (261,98).
    [Fact]
    public void MergesOnATinyCorpusAreTheHandComputedOnes()
    {
        string[] corpus = ["aaab aab ab"];
        var stopped = new ByteLevelBpeTrainer(vocabSize: 300).Train(corpus);
        Assert.Equal([("a", "a"), ("a", "b")], stopped.Merges);
        Assert.Equal(261, stopped.VocabSize);

        var all = new ByteLevelBpeTrainer(vocabSize: 300, minFrequency: 1).Train(corpus);
        Assert.Equal([("a", "a"), ("a", "b"), ("Ġ", "aa"), ("Ġ", "ab"), ("aa", "ab"), ("Ġaa", "b")], all.Merges);
        Assert.Equal([263L, 264, 262], all.Encode("aaab aab ab"));
        Assert.Equal((256, 257, 258), (all.BosId, all.EosId, all.PadId));
        Assert.Equal(97, all.Vocabulary["a"]);

        var capped = new ByteLevelBpeTrainer(vocabSize: 261, minFrequency: 1).Train(corpus);
        Assert.Equal(2, capped.Merges.Count);
    }

    [Fact]
    public void OverlappingOccurrencesMergeLeftToRight()
    {
        // "aaaaa" holds (a,a) four times, overlapping: merging left to right gives aa aa a, whose pairs (aa,aa) = (259,259)
        // and (aa,a) = (259,97) occur once each: the smaller right id wins → aaa; then (aa,aaa) → aaaaa.
        var tokenizer = new ByteLevelBpeTrainer(vocabSize: 300, minFrequency: 1).Train(["aaaaa"]);
        Assert.Equal([("a", "a"), ("aa", "a"), ("aa", "aaa")], tokenizer.Merges);
        Assert.Equal([261L], tokenizer.Encode("aaaaa"));
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        var first = new ByteLevelBpeTrainer(600).Train(TokenizerTestData.Documents);
        var second = new ByteLevelBpeTrainer(600).Train(TokenizerTestData.Documents.ToArray());
        Assert.Equal(600, first.VocabSize);
        Assert.Equal(first.ToHuggingFaceJson().ToString(), second.ToHuggingFaceJson().ToString());
    }

    [Fact]
    public void CustomSpecialTokensFollowTheBytes()
    {
        var tokenizer = new ByteLevelBpeTrainer(270, ["<|endoftext|>", "<|pad|>"]).Train(["the the the then"]);
        Assert.Equal(new Dictionary<string, int> { ["<|endoftext|>"] = 256, ["<|pad|>"] = 257 }, tokenizer.SpecialTokens);
        Assert.Equal((256, 256, 256), (tokenizer.BosId, tokenizer.EosId, tokenizer.PadId));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteLevelBpeTrainer(257));
        Assert.Throws<ArgumentException>(() => new ByteLevelBpeTrainer(300, ["<x>", "<x>"]));
    }

    [Fact]
    public void ReportsProgressAndHonoursCancellation()
    {
        var reported = new List<double>();
        new ByteLevelBpeTrainer(800).Train(TokenizerTestData.Documents, progress: new SynchronousProgress(reported.Add));
        Assert.True(reported.Count >= 2, $"{reported.Count} reports");
        Assert.Equal(reported.Order(), reported);
        Assert.Equal(1.0, reported[^1]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new ByteLevelBpeTrainer(800).Train(TokenizerTestData.Documents, cancellationToken: cancelled.Token));
    }

    // Progress<T> posts to the thread pool; this reports on the caller's thread, in order.
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    [Fact]
    public void TrainsOnTheWholeCorpusInSeconds()
    {
        var path = TokenizerTestData.CorpusPath();
        if (path is null) Assert.Skip("artifacts/corpus/kjv.txt is not installed (scripts/install-corpus.sh)");
        var corpus = TextCorpus.Load(path);
        var clock = Stopwatch.StartNew();
        var tokenizer = new ByteLevelBpeTrainer(4096).Train(corpus.Documents);
        clock.Stop();
        Assert.Equal(4096, tokenizer.VocabSize);
        // ~3.5 s on a shared 2-core machine; the bound leaves room for a loaded CI machine.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"training took {clock.Elapsed.TotalSeconds:F1} s");
        // KJV in 4096 BPE tokens: about 4 bytes per token (the byte tokenizer: 1).
        var document = corpus.Documents[0];
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(document) / (double)tokenizer.Encode(document).Length, 3.0, 6.0);
    }
}
