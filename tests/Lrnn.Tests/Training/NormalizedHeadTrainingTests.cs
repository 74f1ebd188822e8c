using Lrnn.Config;
using Lrnn.Data;
using Lrnn.Heads;
using Lrnn.Losses;
using Lrnn.Models;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using Lrnn.Torch.Optim;
using Lrnn.Training;
using Xunit;
using static Lrnn.Tests.Training.TrainingTestData;

namespace Lrnn.Tests.Training;

/// <summary>
/// nGPT keeps the head's rows on the unit sphere by renormalising after every optimizer step (Loshchilov et al., 2024,
/// "nGPT", §2.6; OLMo-core's NormalizedTransformer.normalize_matrices, called after each step). The trainer must do it.
/// </summary>
public sealed class NormalizedHeadTrainingTests
{
    private const int Steps = 4;

    private static TrainingOptions Options => new()
    {
        MaxSteps = Steps, BatchSize = 4, LearningRate = 2e-2, WarmupSteps = 1, GradientClipNorm = 0, EvalInterval = 0, CheckpointInterval = 0, Seed = 3,
    };

    private static LrnnConfig Config(bool tied) => ModelConfig(16) with
    {
        NLayer = 2, MixerTypes = ["LRU", "attn"], TieEmbeddings = tied, LmHead = new LMHeadConfig { Name = LMHeadConfig.Normalized },
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryOptimizerStepLeavesUnitRowsAndMatchesAFloat64LoopThatRenormalises(bool tied)
    {
        var (trainDocuments, validationDocuments) = Corpus.Split(0.2, seed: 1);
        var train = new PackedSequences(trainDocuments.Documents, Tokenizer, 16);
        var validation = new PackedSequences(validationDocuments.Documents, Tokenizer, 16);
        var options = Options;

        torch.manual_seed(21);
        using var model = new LrnnLMHeadModel(Config(tied), dtype: ScalarType.Float64);
        torch.manual_seed(21);
        using var reference = new LrnnLMHeadModel(Config(tied), dtype: ScalarType.Float64);

        double[] trainerLosses;
        using (var trainer = new Trainer(model, train, validation, options))
        {
            for (var i = 0; i < Steps; i++) trainer.TrainStep();
            trainerLosses = trainer.History.Train.Select(p => p.Loss).ToArray();
        }

        // The reference: the same batches, learning rates and AdamW groups, written out, with nGPT's W ← W / ‖W‖ per row.
        var sampler = new SequenceSampler(train.Count, options.BatchSize, options.Seed);
        var schedule = new WarmupCosineSchedule(options.LearningRate, options.MinLearningRateRatio, options.WarmupSteps, options.MaxSteps);
        var referenceLosses = new List<double>();
        using (var optimizer = new AdamW(ParameterGroups.For(reference, options.WeightDecay, options.DecayOnlyMatrices),
                   lr: options.LearningRate, betas: options.Betas, weight_decay: options.WeightDecay))
        {
            for (var step = 0; step < Steps; step++)
            {
                foreach (var group in optimizer.param_groups) group.lr = schedule.LearningRate(step);
                using var batch = train.GetBatch(sampler.Next());
                using var scope = torch.NewDisposeScope();
                using var output = reference.Forward(batch.InputIds, batch.Labels,
                    new LMLossOptions { Reduction = LossReduction.Sum, LossDivFactor = batch.TargetCount });
                output.Loss.backward();
                referenceLosses.Add(output.CeLoss.item<double>());
                optimizer.step();
                optimizer.zero_grad();
                using var noGrad = torch.no_grad();
                var w = reference.lm_head.weight;                                        // (V, D)
                w.copy_(w / w.norm(2, 1, keepdim: true));
            }
        }

        Support.Numerics.AssertClose(referenceLosses.ToArray(), trainerLosses, atol: 1e-10, what: "training losses");
        AssertUnitRows(model.lm_head.weight, "lm_head.weight");
        if (tied) AssertUnitRows(((Embedding)model.backbone.embedding).weight, "the tied backbone.embedding.weight");
        using var expected = reference.state_dict();
        using var actual = model.state_dict();
        foreach (var (name, value) in expected)
            Support.Numerics.AssertClose(value.reshape(-1).ToArray<double>(), actual[name].reshape(-1).ToArray<double>(), atol: 1e-10, what: name);
    }

    [Fact]
    public void AfterOptimizerStepRenormalisesAHandWrittenLoopsHead()
    {
        torch.manual_seed(2);
        using var model = new LrnnLMHeadModel(Config(tied: true), dtype: ScalarType.Float64);
        using (torch.no_grad()) model.lm_head.weight.mul_(3.0);                              // what a large step does
        model.AfterOptimizerStep();
        AssertUnitRows(model.lm_head.weight, "lm_head.weight");
    }

    private static void AssertUnitRows(Tensor weight, string what)
    {
        using var norms = weight.detach().norm(2, 1);
        var values = norms.ToArray<double>();
        Assert.All(values, n => Assert.True(Math.Abs(n - 1) < 1e-12, $"{what}: a row has norm {n}, not 1"));
    }
}
