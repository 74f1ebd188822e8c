using Lrnn.Config;
using Lrnn.Heads;
using Lrnn.Losses;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Losses;

/// <summary>Every head × loss implementation × reduction against the dense float64 reference: losses and gradients.</summary>
public sealed class HeadLossTests
{
    private const int Batch = 2, Length = 5, Hidden = 4, Vocab = 10;

    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var device in new[] { "cpu", "cuda" })
        foreach (var head in new[] { LMHeadConfig.Default, LMHeadConfig.Normalized, LMHeadConfig.Split })
        foreach (var loss in LossFunctions.Names)
        foreach (var reduction in new[] { "mean", "sum", "none" })
            data.Add(new TheoryDataRow<string, string, string, string>(device, head, loss, reduction)
            {
                Skip = TestDevices.SkipReason(device),
            });
        return data;
    }

    [Theory]
    [InlineData("default")]
    [InlineData("chunked")]
    [InlineData("fused_linear")]
    public void LabelSmoothingMatchesLibtorchsCrossEntropy(string loss)
    {
        // An independent implementation of PyTorch's definition: libtorch's cross_entropy(label_smoothing) on the logits.
        using var scope = torch.NewDisposeScope();
        using var head = BuildHead(LMHeadConfig.Default, loss, zLoss: null, Device.CPU, labelSmoothing: 0.1);
        var hidden = torch.randn([Batch, Length, Hidden], dtype: ScalarType.Float64);
        var labels = torch.tensor(new long[] { 3, 9, -100, 0, 7, 1, -100, 4, 4, 2 }, [Batch, Length]);
        var output = head.Forward(hidden, labels);
        var expected = torch.nn.functional.cross_entropy(head.Forward(hidden).view(-1, Vocab), labels.view(-1),
            ignore_index: -100, label_smoothing: 0.1);
        Numerics.AssertClose([expected.item<double>()], [output.Loss!.item<double>()], atol: 1e-10, what: $"{loss}: smoothed CE");
    }

    internal static LanguageModelHead BuildHead(string name, string loss, double? zLoss, Device device, long chunkSize = 4,
        ScalarType dtype = ScalarType.Float64, double labelSmoothing = 0)
    {
        var config = new LMHeadConfig
        {
            Name = name,
            Bias = name == LMHeadConfig.Default,
            SplitVocabSize = name == LMHeadConfig.Split ? new Dictionary<string, long> { ["text"] = 7, ["special"] = 3 } : null,
            SplitOrder = name == LMHeadConfig.Split ? ["text", "special"] : null,
            Loss = new LossConfig { Implementation = loss, ZLossMultiplier = zLoss, ChunkSize = chunkSize, LabelSmoothing = labelSmoothing },
        };
        var head = LanguageModelHeads.Build(config, Hidden, Vocab, () => throw new InvalidOperationException("no norm"), dtype, device);
        using var noGrad = torch.no_grad();
        // Non-trivial bias and scale, so that their gradients and their place in the logits are tested.
        if (head is LinearLMHead { bias: { } bias }) bias.normal_(0, 0.5);
        if (head is NormalizedLMHead normalized) normalized.sz.uniform_(0.2, 0.8);
        return head;
    }

    internal static long[] Labels(Random rng, int count, double ignoredFraction = 0.3)
    {
        var labels = new long[count];
        for (var i = 0; i < count; i++) labels[i] = rng.NextDouble() < ignoredFraction ? -100 : rng.Next(Vocab);
        labels[0] = Vocab - 1;   // the last row (the "special" split) is a target
        return labels;
    }

    // The head's parameters as the reference sees them: W (V, H) whole, bias (V) or empty, scale (V) or empty.
    private static (double[] W, double[] Bias, double[] Scale) Parameters(LanguageModelHead head) => (
        head.WeightBlocks.SelectMany(b => Doubles(b)).ToArray(),
        head.OutputBias is { } b ? Doubles(b) : [],
        head is NormalizedLMHead n ? Doubles(n.sz).Select(s => s * Math.Sqrt(Hidden)).ToArray() : []);

    [Theory]
    [MemberData(nameof(Cases))]
    public void LossAndGradientsMatchTheDenseFloat64Reference(string device, string headName, string loss, string reduction)
    {
        using var scope = torch.NewDisposeScope();
        var rng = new Random(headName.Length * 100 + loss.Length * 10 + reduction.Length);
        using var head = BuildHead(headName, loss, zLoss: 0.05, device);
        var hidden = Normal(rng, [Batch, Length, Hidden], ScalarType.Float64, device).requires_grad_();
        var labels = Labels(rng, Batch * Length);
        var tokenWeights = Enumerable.Range(0, Batch * Length).Select(_ => rng.NextDouble() * 2 - 0.5).ToArray();
        var options = new LMLossOptions { Reduction = Enum.Parse<LossReduction>(reduction, ignoreCase: true), LossDivFactor = 2.5 };

        using var output = head.Forward(hidden, torch.tensor(labels, [Batch, Length], device), options);
        var objective = reduction == "none" ? (output.Loss * torch.tensor(tokenWeights, [Batch, Length], device)).sum() : output.Loss;
        objective.backward();

        var reference = new DenseLossReference(Batch * Length, Hidden, Vocab)
            { ZLossMultiplier = 0.05, Reduction = reduction, DivFactor = 2.5 };
        var x = Doubles(hidden);
        var (w, bias, scale) = Parameters(head);
        var tokens = reference.TokenLosses(x, w, bias, scale, labels);
        var expected = reference.Reduce(tokens, labels, tokenWeights);
        if (reduction == "none")
        {
            Assert.Equal(new long[] { Batch, Length }, output.Loss.shape);
            var expectedPerToken = tokens.Select(t => t.Nll + 0.05 * t.Lse * t.Lse).Select(l => l / 2.5).ToArray();
            Numerics.AssertClose(expectedPerToken, Doubles(output.Loss), atol: 1e-10, what: "per-token loss");
            Numerics.AssertClose(tokens.Select(t => t.Nll / 2.5).ToArray(), Doubles(output.CeLoss), atol: 1e-10, what: "per-token ce");
        }
        else
        {
            Assert.Empty(output.Loss.shape);
            Numerics.AssertClose([expected.Loss], Doubles(output.Loss), atol: 1e-10, what: "loss");
            Numerics.AssertClose([expected.Ce], Doubles(output.CeLoss), atol: 1e-10, what: "ce_loss");
            Numerics.AssertClose([expected.Z], Doubles(output.ZLoss!), atol: 1e-10, what: "z_loss");
        }

        double Objective() => reference.Objective(x, w, bias, scale, labels, tokenWeights);
        Numerics.AssertClose(GradCheck.Numeric(x, Objective), Doubles(hidden.grad!), atol: 1e-7, what: "d/dhidden");
        Numerics.AssertClose(GradCheck.Numeric(w, Objective), head.WeightBlocks.SelectMany(b => Doubles(b.grad!)).ToArray(),
            atol: 1e-7, what: "d/dW");
        if (head is LinearLMHead lm)
            Numerics.AssertClose(GradCheck.Numeric(bias, Objective), Doubles(lm.bias!.grad!), atol: 1e-7, what: "d/dbias");
        if (head is NormalizedLMHead normalized)   // d/dsz = √d · d/dscale
            Numerics.AssertClose(GradCheck.Numeric(scale, Objective).Select(g => g * Math.Sqrt(Hidden)).ToArray(),
                Doubles(normalized.sz.grad!), atol: 1e-7, what: "d/dsz");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AnAllIgnoredBatchGivesLossZeroAndNoNaN(string device)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var loss in LossFunctions.Names)
        foreach (var reduction in new[] { LossReduction.Mean, LossReduction.Sum })
        {
            using var head = BuildHead(LMHeadConfig.Default, loss, zLoss: 1e-4, device, dtype: ScalarType.Float32);
            var hidden = Normal(new Random(3), [Batch, Length, Hidden], ScalarType.Float32, device).requires_grad_();
            var labels = torch.full([Batch, Length], -100, ScalarType.Int64, device);
            using var output = head.Forward(hidden, labels, new LMLossOptions { Reduction = reduction });
            output.Loss.backward();
            Assert.Equal([0.0], Doubles(output.Loss));
            Assert.Equal([0.0], Doubles(output.ZLoss!));
            Assert.All(Doubles(hidden.grad!), g => Assert.Equal(0.0, g));
            Assert.All(Doubles(head.weight.grad!), g => Assert.Equal(0.0, g));
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GradientAccumulationWithSumAndLossDivFactorEqualsTheFullBatchMean(string device)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var loss in LossFunctions.Names)
        {
            using var head = BuildHead(LMHeadConfig.Default, loss, zLoss: 0.01, device);
            var rng = new Random(5);
            var hidden = Normal(rng, [4, Length, Hidden], ScalarType.Float64, device);
            // Micro-batches with different numbers of valid tokens: a mean of means would weigh them wrongly.
            var labelValues = Labels(rng, 4 * Length, ignoredFraction: 0.5);
            var labels = torch.tensor(labelValues, [4, Length], device);
            var validTokens = labelValues.Count(l => l != -100);

            using (var full = head.Forward(hidden, labels)) full.Loss.backward();
            var fullGrad = Doubles(head.weight.grad!);
            head.weight.grad!.zero_();
            double accumulated = 0;
            for (var start = 0; start < 4; start += 2)
            {
                using var micro = head.Forward(hidden.narrow(0, start, 2), labels.narrow(0, start, 2),
                    new LMLossOptions { Reduction = LossReduction.Sum, LossDivFactor = validTokens });
                micro.Loss.backward();
                accumulated += Doubles(micro.Loss)[0];
            }
            using (var full = head.Forward(hidden, labels))
                Numerics.AssertClose(Doubles(full.Loss), [accumulated], atol: 1e-12, what: $"{loss}: accumulated loss");
            Numerics.AssertClose(fullGrad, Doubles(head.weight.grad!), atol: 1e-12, what: $"{loss}: accumulated dW");
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LogitsToKeepScoresOnlyTheKeptPositions(string device)
    {
        using var scope = torch.NewDisposeScope();
        using var head = BuildHead(LMHeadConfig.Default, LossFunctions.Default, zLoss: null, device);
        var rng = new Random(9);
        var hidden = Normal(rng, [Batch, Length, Hidden], ScalarType.Float64, device);
        var labels = torch.tensor(Labels(rng, Batch * Length, ignoredFraction: 0), [Batch, Length], device);

        using var last = head.Forward(hidden, labels, new LMLossOptions { LogitsToKeep = 2, ReturnLogits = true });
        using var sliced = head.Forward(hidden.narrow(1, Length - 2, 2), labels.narrow(1, Length - 2, 2));
        Assert.Equal(new long[] { Batch, 2, Vocab }, last.Logits!.shape);
        Numerics.AssertClose(Doubles(sliced.Loss), Doubles(last.Loss), atol: 1e-12, what: "last 2");
        Numerics.AssertClose(Doubles(head.Forward(hidden).narrow(1, Length - 2, 2)), Doubles(last.Logits), atol: 1e-12, what: "kept logits");

        // Positions (B, K): sequence 0 keeps 4 and 0, sequence 1 keeps 1 and 2.
        var positions = torch.tensor(new long[] { 4, 0, 1, 2 }, [Batch, 2], device);
        using var picked = head.Forward(hidden, labels, new LMLossOptions { PositionsToKeep = positions, Reduction = LossReduction.None });
        using var all = head.Forward(hidden, labels, new LMLossOptions { Reduction = LossReduction.None });
        var perToken = Doubles(all.Loss);
        Numerics.AssertClose([perToken[4], perToken[0], perToken[Length + 1], perToken[Length + 2]], Doubles(picked.Loss), atol: 1e-12,
            what: "picked positions");
    }

    [Fact]
    public void TheFusedLossCannotReturnLogits()
    {
        using var scope = torch.NewDisposeScope();
        using var head = BuildHead(LMHeadConfig.Default, LossFunctions.FusedLinear, zLoss: null, Device.CPU);
        var hidden = torch.zeros([1, 2, Hidden], ScalarType.Float64);
        var labels = torch.zeros([1, 2], ScalarType.Int64);
        var error = Assert.Throws<ArgumentException>(() => head.Forward(hidden, labels, new LMLossOptions { ReturnLogits = true }));
        Assert.Contains("fused_linear", error.Message);
    }

    [Fact]
    public void LabelsAreTheNextTokenWithTheLastPositionAndMaskedTargetsIgnored()
    {
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(new long[] { 5, 6, 7, 8, 1, 2, 3, 4 }, [2, 4]);
        var mask = torch.tensor(new[] { true, true, false, true, true, true, true, true }, [2, 4]);
        Assert.Equal(new long[] { 6, 7, 8, -100, 2, 3, 4, -100 }, LanguageModelingLabels.FromInputIds(ids).ToArray<long>());
        Assert.Equal(new long[] { 6, -100, 8, -100, 2, 3, 4, -100 }, LanguageModelingLabels.FromInputIds(ids, mask).ToArray<long>());
    }
}
