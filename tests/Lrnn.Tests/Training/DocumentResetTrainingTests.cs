using Lrnn.Data;
using Lrnn.Models;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Lrnn.Training;
using Xunit;
using static Lrnn.Tests.Training.TrainingTestData;

namespace Lrnn.Tests.Training;

public sealed class DocumentResetTrainingTests
{
    // Short documents, so that every 16-token sequence packs parts of two or three of them.
    private static readonly string[] s_documents = ["Let there be light", "and there was light.", "God saw the light", "that it was good", "Day and Night", "the first day"];

    [Fact]
    public void TheTrainerOptionGivesTheLossOfEachDocumentRunAlone()
    {
        using var scope = torch.NewDisposeScope();
        var sequences = new PackedSequences(s_documents, Tokenizer, sequenceLength: 16);
        using var model = new LrnnLMHeadModel(ModelConfig(16), ScalarType.Float64);
        var options = new TrainingOptions { MaxSteps = 1, BatchSize = 2, EvalInterval = 0, CheckpointInterval = 0 };
        using var reset = new Trainer(model, sequences, sequences, options with { ResetStateAtDocumentBoundaries = true });
        using var carried = new Trainer(model, sequences, sequences, options);

        var expected = MeanLossOfDocumentsAlone(model, sequences.GetBatch(Enumerable.Range(0, sequences.Count).ToArray()));
        Assert.Equal(expected, reset.Evaluate(), 1e-9);
        Assert.True(Math.Abs(carried.Evaluate() - expected) > 1e-4, "without the option the packed documents should see each other");
    }

    /// <summary>Mean cross-entropy over the batch's targets, each document of each row run through the model on its own.</summary>
    private static double MeanLossOfDocumentsAlone(LrnnLMHeadModel model, TrainingBatch batch)
    {
        using var noGrad = torch.no_grad();
        var documentIds = batch.DocumentIds.ToArray<long>();
        var length = batch.InputIds.size(1);
        var sum = 0.0;
        for (var row = 0L; row < batch.InputIds.size(0); row++)
        for (var start = 0L; start < length;)
        {
            var end = start;
            while (end < length && documentIds[row * length + end] == documentIds[row * length + start]) end++;
            using var ids = batch.InputIds.narrow(0, row, 1).narrow(1, start, end - start);
            using var labels = batch.Labels.narrow(0, row, 1).narrow(1, start, end - start);
            using var logits = model.Forward(ids);                                               // (1, n, V)
            using var flat = logits.view(-1, logits.size(-1));
            using var flatLabels = labels.reshape(-1);
            using var loss = torch.nn.functional.cross_entropy(flat, flatLabels, reduction: "sum");   // ignores −100
            sum += loss.item<double>();
            start = end;
        }
        return sum / batch.TargetCount;
    }
}
