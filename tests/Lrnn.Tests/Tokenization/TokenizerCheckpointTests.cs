using Lrnn.Data;
using Lrnn.Models;
using Lrnn.Tests.SafeTensors;
using Lrnn.Tests.Training;
using Lrnn.Tokenization;
using Lrnn.Torch;
using Lrnn.Training;
using Xunit;

namespace Lrnn.Tests.Tokenization;

/// <summary>A BPE model's checkpoint carries its tokenizer; validation reports bits per byte.</summary>
public sealed class TokenizerCheckpointTests
{
    private static readonly ByteLevelBpeTokenizer s_bpe = new ByteLevelBpeTrainer(320).Train(TrainingTestData.Corpus.Documents);

    // The training tests' tiny model with the BPE's vocabulary and a plain tied head.
    private static LrnnLMHeadModel Model() => new(TrainingTestData.ModelConfig() with { VocabSize = s_bpe.VocabSize, LmHead = null });

    private static (PackedSequences, PackedSequences) Data()
    {
        var (train, validation) = TrainingTestData.Corpus.Split(0.2, seed: 1);
        return (new PackedSequences(train.Documents, s_bpe, 16), new PackedSequences(validation.Documents, s_bpe, 16));
    }

    [Fact]
    public void CheckpointReloadsItsBpeTokenizer()
    {
        Assert.Equal(320, s_bpe.VocabSize);
        var (train, validation) = Data();
        using var folder = new TempFolder();
        using (var model = Model())
        using (var trainer = new Trainer(model, train, validation, new TrainingOptions { MaxSteps = 1, BatchSize = 2, EvalInterval = 0, CheckpointInterval = 0 },
                   tokenizer: s_bpe))
            trainer.Train(folder.Path);
        var tokenizer = LrnnTokenizer.FromPretrained(folder.Path);
        var reloaded = Assert.IsType<ByteLevelBpeTokenizer>(tokenizer);
        Assert.Equal(s_bpe.Merges, reloaded.Merges);
        Assert.Equal(s_bpe.Encode(TrainingTestData.Text, addBos: true, addEos: true), reloaded.Encode(TrainingTestData.Text, addBos: true, addEos: true));
        using var model2 = LrnnLMHeadModel.FromPretrained(folder.Path);
        Assert.Equal(tokenizer.VocabSize, model2.Config.VocabSize);
    }

    [Fact]
    public void TokenizerLargerThanTheModelIsRefused()
    {
        var (train, validation) = Data();
        using var model = new LrnnLMHeadModel(TrainingTestData.ModelConfig());      // 259 ids
        var error = Assert.Throws<ArgumentException>(() => new Trainer(model, train, validation, new TrainingOptions(), tokenizer: s_bpe));
        Assert.Contains("320", error.Message);
    }

    [Fact]
    public void ValidationBitsPerByteIsTotalNatsOverTotalBytes()
    {
        var (train, validation) = Data();
        long targets = 0, bytes = 0, expectedBytes = 0;
        using (var batch = validation.GetBatch(Enumerable.Range(0, validation.Count).ToArray()))
        {
            targets = batch.TargetCount;
            bytes = batch.TargetBytes;
            // The bytes of the labels that carry a loss, from the tokenizer directly.
            foreach (var label in batch.Labels.ToArray<long>())
                if (label != PackedSequences.IgnoreIndex) expectedBytes += s_bpe.TokenBytes(label).Length;
        }
        Assert.Equal(expectedBytes, bytes);
        Assert.True(bytes > 2 * targets, $"{bytes} bytes for {targets} BPE targets");
        using var model = Model();
        using var trainer = new Trainer(model, train, validation, new TrainingOptions { MaxSteps = 1, BatchSize = 4, EvalBatches = 0 }, tokenizer: s_bpe);
        Assert.True(double.IsNaN(trainer.ValidationBitsPerByte));
        // Evaluate sums over all validation sequences (EvalBatches = 0), in batches of 4: the same targets and bytes.
        var loss = trainer.Evaluate();
        Assert.Equal(loss * targets / bytes / Math.Log(2), trainer.ValidationBitsPerByte, 1e-9);
    }
}
