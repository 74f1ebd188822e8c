using Lrnn.Data;
using Lrnn.Models;
using Lrnn.Tests.SafeTensors;
using Lrnn.Tests.Support;
using Lrnn.Tokenization;
using Lrnn.Torch;
using Lrnn.Training;
using Xunit;
using static Lrnn.Tests.Training.TrainingTestData;

namespace Lrnn.Tests.Training;

public sealed class TrainerTests
{
    private static (PackedSequences Train, PackedSequences Validation) Data(int sequenceLength = 32)
    {
        var (train, validation) = Corpus.Split(0.2, seed: 1);
        return (new PackedSequences(train.Documents, Tokenizer, sequenceLength), new PackedSequences(validation.Documents, Tokenizer, sequenceLength));
    }

    private static TrainingOptions Options(int steps) => new()
    {
        MaxSteps = steps, BatchSize = 4, LearningRate = 1e-2, WarmupSteps = 5, EvalInterval = 0, CheckpointInterval = 0, Seed = 5,
    };

    [Fact]
    public void ShortRunLowersTheValidationLossByOverOneNat()
    {
        var (train, validation) = Data();
        using var model = new LrnnLMHeadModel(ModelConfig());
        using var trainer = new Trainer(model, train, validation, Options(60));
        var before = trainer.Evaluate();
        Assert.InRange(before, Math.Log(259) - 1, Math.Log(259) + 1);                   // about uniform over the bytes
        var result = trainer.Train();
        // The stated margin: 60 steps of 128 tokens take a byte model from ~ln 259 = 5.56 nats to below 4.56.
        Assert.True(result.ValidationLoss < before - 1.0, $"validation loss {before:F3} → {result.ValidationLoss:F3}: fell by less than 1 nat");
        Assert.Equal(60, result.Steps);
        Assert.Equal(60 * 4 * 32, result.TokensSeen);
        Assert.Equal(60, trainer.History.Train.Count);
        Assert.True(trainer.History.Train[^1].Loss < trainer.History.Train[0].Loss - 1.0);
    }

    [Fact]
    public void ResumeAfterAnInterruptionIsBitIdenticalToAnUninterruptedRun()
    {
        var (train, validation) = Data(16);
        var options = Options(8) with { GradientAccumulationSteps = 2, WarmupSteps = 3 };

        torch.manual_seed(9);
        using var uninterrupted = new LrnnLMHeadModel(ModelConfig(16));
        using (var trainer = new Trainer(uninterrupted, train, validation, options))
            trainer.Train();

        using var folder = new TempFolder();
        torch.manual_seed(9);
        using (var first = new LrnnLMHeadModel(ModelConfig(16)))
        using (var trainer = new Trainer(first, train, validation, options))
        {
            for (var i = 0; i < 3; i++) trainer.TrainStep();                                // interrupted after step 3
            trainer.SaveCheckpoint(folder.Path);
        }
        torch.manual_seed(12345);                                                           // another process, another state
        using var resumed = new LrnnLMHeadModel(ModelConfig(16));
        using (var trainer = new Trainer(resumed, train, validation, options))
        {
            trainer.Resume(folder.Path);
            Assert.Equal(3, trainer.Step);
            trainer.Train();
        }
        using var expected = uninterrupted.state_dict();
        using var actual = resumed.state_dict();
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, value) in expected)
            Assert.True(torch.equal(value, actual[name]), $"{name} differs after resuming");
    }

    [Fact]
    public void AccumulatedMicroBatchesTakeTheSameStepAsOneBatch()
    {
        // Mean over all targets either way: 1 × 4 sequences and 2 × 2 sequences give the same update (float64).
        var (train, validation) = Data(16);
        var whole = Options(1) with { BatchSize = 4, GradientClipNorm = 0, WarmupSteps = 0 };
        var split = whole with { BatchSize = 2, GradientAccumulationSteps = 2 };
        double[] Run(TrainingOptions options)
        {
            torch.manual_seed(4);
            using var model = new LrnnLMHeadModel(ModelConfig(16), dtype: ScalarType.Float64);
            using var trainer = new Trainer(model, train, validation, options);
            trainer.TrainStep();
            return model.parameters().SelectMany(p => p.detach().reshape(-1).ToArray<double>()).ToArray();
        }
        // The sampler draws the same 4 sequences in both cases (one permutation, consecutive slices).
        Support.Numerics.AssertClose(Run(whole), Run(split), atol: 1e-12, what: "parameters after one step");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BFloat16AutocastTrainsFloat32Weights(string device)
    {
        // An LRU layer too: its complex recurrence must stay complex64 while autocast makes its projections bf16.
        var (train, validation) = Data(16);
        using var model = new LrnnLMHeadModel(ModelConfig(16) with { MixerTypes = ["LRU", "attn"], NLayer = 2 }, device: device);
        using var trainer = new Trainer(model, train, validation, Options(10) with { AutocastDtype = ScalarType.BFloat16 });
        var before = trainer.Evaluate();
        trainer.Train();
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.True(trainer.History.Train.All(p => double.IsFinite(p.Loss)));
        Assert.True(trainer.Evaluate() < before - 0.3, "10 autocast steps did not lower the validation loss by 0.3 nats");
    }

    [Fact]
    public void CheckpointLoadsAsAPretrainedModelWithTokenizerAndRaisesCheckpointSaved()
    {
        var (train, validation) = Data(16);
        using var folder = new TempFolder();
        using var model = new LrnnLMHeadModel(ModelConfig(16));
        var saved = new List<(string Directory, long Step, int TrainPoints)>();
        using (var trainer = new Trainer(model, train, validation, Options(3), tokenizer: Tokenizer))
        {
            trainer.CheckpointSaved += (_, e) => saved.Add((e.Directory, e.Step, e.History.Train.Count));
            trainer.Train(folder.Path);
        }
        Assert.Equal([(folder.Path, 3L, 3)], saved);
        foreach (var file in new[] { "config.json", "model.safetensors", ByteTokenizer.FileName, Trainer.OptimizerFileName, TrainerState.FileName })
            Assert.True(File.Exists(folder.File(file)), $"{file} is missing from the checkpoint");
        using var reloaded = LrnnLMHeadModel.FromPretrained(folder.Path);
        using var ids = torch.tensor(Tokenizer.Encode("And God", addBos: true), [1, 8]);
        using var a = model.Forward(ids);
        using var b = reloaded.Forward(ids);
        Assert.True(torch.equal(a, b));
        Assert.Equal(3, TrainerState.Load(folder.Path).History.Train.Count);
    }

    [Fact]
    public void ProgressReportsEveryStepAndCancellationEndsTheRunWithAResumableCheckpoint()
    {
        var (train, validation) = Data(16);
        using var folder = new TempFolder();
        using var model = new LrnnLMHeadModel(ModelConfig(16));
        using var cancel = new CancellationTokenSource();
        var reports = new List<TrainingStatus>();
        var progress = new SynchronousProgress<TrainingStatus>(status =>
        {
            reports.Add(status);
            if (status.Step == 2) cancel.Cancel();
        });
        TrainingResult result;
        using (var trainer = new Trainer(model, train, validation, Options(10) with { LogInterval = 1 }))
            result = trainer.Train(folder.Path, cancel.Token, progress);

        // Cancelled after step 2: no third step, a final validation and a checkpoint at step 2.
        Assert.Equal([1L, 2L], reports.Select(r => r.Step));
        Assert.True(result.StoppedEarly);
        Assert.Equal(2, result.Steps);
        Assert.Equal(2, TrainerState.Load(folder.Path).Step);
        Assert.All(reports, r => Assert.Equal(10, r.MaxSteps));
        Assert.Equal(reports.Select(r => r.Loss), TrainerState.Load(folder.Path).History.Train.Select(p => p.Loss));
        Assert.Equal(2 * Options(10).BatchSize * 16L, reports[^1].TokensSeen);
        Assert.True(reports[^1].TokensPerSecond > 0 && reports[^1].Eta > TimeSpan.Zero);
        // The first report knows the validation loss measured before training.
        Assert.Equal(TrainerState.Load(folder.Path).History.Validation[0].Loss, reports[0].ValidationLoss);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, too late for a test).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
