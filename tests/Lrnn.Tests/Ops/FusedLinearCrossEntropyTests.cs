using Lrnn.Ops;
using Lrnn.Tests.Losses;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Ops;

/// <summary>ops.fused_linear_cross_entropy on its own: soft cap and label smoothing, float32 inputs.</summary>
public sealed class FusedLinearCrossEntropyTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void SoftcapAndLabelSmoothingMatchTheDenseReferenceWithAnyUpstreamGradient(string device)
    {
        using var scope = torch.NewDisposeScope();
        const int n = 7, h = 3, v = 9;
        var rng = new Random(21);
        var x = Normal(rng, [n, h], ScalarType.Float64, device, std: 2).requires_grad_();
        var w = Normal(rng, [v, h], ScalarType.Float64, device).requires_grad_();
        var labels = HeadLossTests.Labels(rng, n).Select(l => l < 0 ? l : l % v).ToArray();
        var gNll = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.3).ToArray();
        var gLse = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.3).ToArray();

        var (nll, lse) = ops.fused_linear_cross_entropy(x, w, torch.tensor(labels, device: device),
            label_smoothing: 0.2, softcap: 1.5, chunk_size: 3);
        ((nll * torch.tensor(gNll, device: device)).sum() + (lse * torch.tensor(gLse, device: device)).sum()).backward();

        var reference = new DenseLossReference(n, h, v) { LabelSmoothing = 0.2, Softcap = 1.5 };
        var xs = Doubles(x);
        var ws = Doubles(w);
        double Objective() => reference.TokenLosses(xs, ws, [], [], labels).Select((t, k) => gNll[k] * t.Nll + gLse[k] * t.Lse).Sum();
        var tokens = reference.TokenLosses(xs, ws, [], [], labels);
        Numerics.AssertClose(tokens.Select(t => t.Nll).ToArray(), Doubles(nll), atol: 1e-10, what: "nll");
        Numerics.AssertClose(tokens.Select(t => t.Lse).ToArray(), Doubles(lse), atol: 1e-10, what: "lse");
        Numerics.AssertClose(GradCheck.Numeric(xs, Objective), Doubles(x.grad!), atol: 1e-7, what: "dx");
        Numerics.AssertClose(GradCheck.Numeric(ws, Objective), Doubles(w.grad!), atol: 1e-7, what: "dW");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Float32InputsGiveFloat32ResultsCloseToFloat64(string device)
    {
        using var scope = torch.NewDisposeScope();
        var rng = new Random(22);
        var x = Normal(rng, [64, 16], ScalarType.Float64, device);
        var w = Normal(rng, [50, 16], ScalarType.Float64, device, std: 0.3);
        var labels = torch.tensor(HeadLossTests.Labels(rng, 64).Select(l => l < 0 ? l : l % 50).ToArray(), device: device);
        var (wide, _) = ops.fused_linear_cross_entropy(x, w, labels);
        var w32 = w.to(ScalarType.Float32).requires_grad_();
        var (narrow, _) = ops.fused_linear_cross_entropy(x.to(ScalarType.Float32), w32, labels);
        Assert.Equal(ScalarType.Float32, narrow.dtype);
        Numerics.AssertClose(Doubles(wide), Doubles(narrow), atol: 1e-4, what: "float32 nll");
        narrow.sum().backward();
        Assert.Equal(ScalarType.Float32, w32.grad!.dtype);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BFloat16InputsMatchTheFloat32DenseLossOfTheSameValues(string device)
    {
        // 16-bit weights take the 16-bit GEMM path in backward (float32 running sum of dW): compare with the dense
        // float32 computation on the same bf16-rounded values, at bf16 tolerance.
        using var scope = torch.NewDisposeScope();
        const int n = 40, h = 16, v = 50;
        var rng = new Random(5);
        var x16 = Normal(rng, [n, h], ScalarType.Float32, device).to(ScalarType.BFloat16).requires_grad_();
        var w16 = Normal(rng, [v, h], ScalarType.Float32, device).mul(0.5).to(ScalarType.BFloat16).requires_grad_();
        var labels = torch.tensor(Enumerable.Range(0, n).Select(i => (long)((i * 7) % v)).ToArray(), device: device);
        var (nll, _) = ops.fused_linear_cross_entropy(x16, w16, labels, chunk_size: 8);
        nll.to(ScalarType.Float32).mean().backward();

        var x32 = x16.detach().to(ScalarType.Float32).requires_grad_();
        var w32 = w16.detach().to(ScalarType.Float32).requires_grad_();
        var dense = torch.nn.functional.cross_entropy(x32.matmul(w32.transpose(0, 1)), labels);
        dense.backward();

        Assert.Equal(ScalarType.BFloat16, w16.grad!.dtype);
        Numerics.AssertClose(Doubles(nll.to(ScalarType.Float32).mean()), Doubles(dense), atol: 2e-2, what: "mean loss");
        Numerics.AssertClose(Doubles(w32.grad!), Doubles(w16.grad!.to(ScalarType.Float32)), atol: 2e-3, rtol: 2e-2, what: "dL/dW");
        Numerics.AssertClose(Doubles(x32.grad!), Doubles(x16.grad!.to(ScalarType.Float32)), atol: 2e-3, rtol: 2e-2, what: "dL/dx");
    }

    /// <summary>
    /// Plain float32 logits take the CUDA kernels on a GPU (row log-sum-exp forward, gradient blocks backward); on the
    /// CPU the ATen path. Vocabularies of 64 (16-byte packs) and 61 (element by element), several token chunks and
    /// vocabulary blocks, ignored tokens, label smoothing and independent upstream gradients of both outputs.
    /// </summary>
    [Theory]
    [MemberData(nameof(PlainFloat32Cases))]
    public void PlainFloat32LogitsMatchTheDenseReferenceInEveryBlockLayout(string device, int vocab, double smoothing, long chunk)
    {
        using var scope = torch.NewDisposeScope();
        const int n = 33, h = 8;
        var rng = new Random(vocab + (int)chunk);
        var x = Normal(rng, [n, h], ScalarType.Float32, device, std: 1.5).requires_grad_();
        var w = Normal(rng, [vocab, h], ScalarType.Float32, device).requires_grad_();
        var labels = HeadLossTests.Labels(rng, n).Select(l => l < 0 ? l : l % vocab).ToArray();
        var gNll = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.3).ToArray();
        var gLse = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.3).ToArray();

        var (nll, lse) = ops.fused_linear_cross_entropy(x, w, torch.tensor(labels, device: device),
            label_smoothing: smoothing, chunk_size: chunk);
        ((nll * torch.tensor(gNll, device: device).to(ScalarType.Float32)).sum() +
         (lse * torch.tensor(gLse, device: device).to(ScalarType.Float32)).sum()).backward();

        var reference = new DenseLossReference(n, h, vocab) { LabelSmoothing = smoothing };
        var xs = Doubles(x);
        var ws = Doubles(w);
        var tokens = reference.TokenLosses(xs, ws, [], [], labels);
        double Objective() => reference.TokenLosses(xs, ws, [], [], labels).Select((t, k) => gNll[k] * t.Nll + gLse[k] * t.Lse).Sum();
        Numerics.AssertClose(tokens.Select(t => t.Nll).ToArray(), Doubles(nll), atol: 2e-5, rtol: 1e-5, what: "nll");
        Numerics.AssertClose(tokens.Select(t => t.Lse).ToArray(), Doubles(lse), atol: 2e-5, rtol: 1e-5, what: "lse");
        Numerics.AssertClose(GradCheck.Numeric(xs, Objective), Doubles(x.grad!), atol: 2e-5, rtol: 1e-4, what: "dx");
        Numerics.AssertClose(GradCheck.Numeric(ws, Objective), Doubles(w.grad!), atol: 2e-5, rtol: 1e-4, what: "dW");
    }

    public static TheoryData<string, int, double, long> PlainFloat32Cases()
    {
        var data = new TheoryData<string, int, double, long>();
        foreach (var device in new[] { "cpu", "cuda" })
            foreach (var (vocab, smoothing, chunk) in new[] { (64, 0.0, 0L), (64, 0.1, 5L), (61, 0.0, 7L), (61, 0.2, 0L) })
            {
                var row = new TheoryDataRow<string, int, double, long>(device, vocab, smoothing, chunk);
                if (TestDevices.SkipReason(device) is { } reason) row.Skip = reason;
                data.Add(row);
            }
        return data;
    }

    [Fact]
    public void LabelsOutsideTheVocabularyAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros([2, 3]);
        var w = torch.zeros([4, 3]);
        var error = Assert.ThrowsAny<Exception>(() => ops.fused_linear_cross_entropy(x, w, torch.tensor(new long[] { 1, 4 })));
        Assert.Contains("outside [0, 4)", error.Message);
    }
}
