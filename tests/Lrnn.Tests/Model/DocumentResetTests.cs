using Lrnn.Config;
using Lrnn.Models;
using Lrnn.Modules;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model;

/// <summary>
/// Per-document state reset of packed rows (issue 7): with document ids, every token's output is the one it gets
/// when its document runs alone from a fresh state, for every registered mixer and for a hybrid stack.
/// </summary>
public sealed class DocumentResetTests
{
    // Three packed rows of 16 tokens: three documents, one document, two documents.
    private static readonly long[][] s_documentLengths = [[5, 7, 4], [16], [9, 7]];
    private const long RowLength = 16;

    /// <summary>The kwargs a small model of each mixer needs (those without a default), for the mixers of <paramref name="mixers"/>.</summary>
    private static LrnnConfig Config(string[] mixers, long dIntermediate = 0)
    {
        var kwargs = new JObject
        {
            ["attn"] = new JObject { ["num_heads"] = 4, ["num_heads_kv"] = 2, ["rotary_emb_dim"] = 2 },
            ["S5"] = new JObject { ["discretization"] = "zoh" },
            ["Centaurus"] = new JObject { ["sub_state_dim"] = 3 },
            ["Mamba"] = new JObject { ["event_mode"] = true },
        };
        foreach (var name in kwargs.Properties().Select(p => p.Name).Where(n => !mixers.Contains(n)).ToList()) kwargs.Remove(name);
        return (ConfigFor(["LRU"]) with { NLayer = mixers.Length, MixerTypes = mixers, DIntermediate = dIntermediate, MixerKwargs = kwargs }).Validate();
    }

    /// <summary>Every registered mixer (MixerRegistryTests' stateless "TestScale" aside: it has no state to reset) on every device.</summary>
    public static TheoryData<string, string> DevicesAndMixers()
    {
        var data = new TheoryData<string, string>();
        foreach (var device in new[] { "cpu", "cuda" })
        foreach (var mixer in MixerRegistry.Names.Where(n => n != "TestScale"))
            data.Add(new TheoryDataRow<string, string>(device, mixer) { Skip = TestDevices.SkipReason(device) });
        return data;
    }

    [Theory]
    [MemberData(nameof(DevicesAndMixers))]
    public void EveryMixerSeesOnlyItsOwnDocument(string device, string mixer)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new LrnnLMHeadModel(Config([mixer]), ScalarType.Float64, device);
        var ids = Ids(new Random(41), s_documentLengths.Length, RowLength, model.Config.VocabSize, device);
        AssertDocumentsRunAlone(model, ids, timesteps: null, atol: 1e-9, what: mixer);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AHybridOfEveryMixerWithEventTimestepsSeesOnlyItsOwnDocument(string device)
    {
        using var scope = torch.NewDisposeScope();
        string[] mixers = [.. MixerRegistry.Names.Where(n => n != "TestScale")];
        var config = Config(mixers, dIntermediate: 24) with { ResidualInFp32 = true };
        using var model = new LrnnLMHeadModel(config, device: device);
        var ids = Ids(new Random(42), s_documentLengths.Length, RowLength, config.VocabSize, device);
        var timesteps = Normal(new Random(43), [s_documentLengths.Length, RowLength], ScalarType.Float32, device).abs().add(0.5);   // (B, L)
        AssertDocumentsRunAlone(model, ids, timesteps, atol: 1e-5, what: "hybrid");
    }

    /// <summary>
    /// At each document's tokens, the packed forward with document ids equals the forward of that document alone, and
    /// the packed forward without them does not (for documents after a row's first), so the comparison can fail.
    /// </summary>
    private static void AssertDocumentsRunAlone(LrnnLMHeadModel model, Tensor ids, Tensor? timesteps, double atol, string what)
    {
        var documentIds = DocumentIds(s_documentLengths, ids.device);
        var packed = model.Forward(ids, integrationTimesteps: timesteps, documentIds: documentIds);   // (B, L, V_pad)
        var unreset = model.Forward(ids, integrationTimesteps: timesteps);
        foreach (var (row, start, length) in Documents(s_documentLengths))
        {
            var alone = model.Forward(ids.narrow(0, row, 1).narrow(1, start, length),
                integrationTimesteps: timesteps?.narrow(0, row, 1).narrow(1, start, length));        // (1, n, V_pad)
            var expected = Doubles(alone);
            Numerics.AssertClose(expected, Doubles(packed.narrow(0, row, 1).narrow(1, start, length)), atol,
                what: $"{what}: row {row}, document at {start}");
            if (start == 0) continue;
            var leak = expected.Zip(Doubles(unreset.narrow(0, row, 1).narrow(1, start, length)), (a, b) => Math.Abs(a - b)).Max();
            Assert.True(leak > 100 * atol, $"{what}: row {row}, document at {start} is unaffected by the previous one without ids (largest change {leak})");
        }
    }

    [Fact]
    public void GradientsThroughThePackedRowsAreTheSumOverTheDocumentsAlone()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new LrnnLMHeadModel(Config(["Mamba", "attn", "LRU"], dIntermediate: 24), ScalarType.Float64);
        var ids = Ids(new Random(44), s_documentLengths.Length, RowLength, model.Config.VocabSize, Device.CPU);
        var logits = model.Forward(ids, documentIds: DocumentIds(s_documentLengths, Device.CPU));
        var weights = Normal(new Random(45), logits.shape, ScalarType.Float64, Device.CPU);         // a loss that reads every logit
        logits.mul(weights).sum().backward();
        // Parameters that the loss reaches (Mamba's dtA_proj weight, for one, is unused: lrnnx reads only its bias).
        var packed = model.named_parameters().Where(p => p.Parameter.grad is not null).ToDictionary(p => p.Name, p => Doubles(p.Parameter.grad!));

        model.zero_grad();
        foreach (var (row, start, length) in Documents(s_documentLengths))
        {
            var alone = model.Forward(ids.narrow(0, row, 1).narrow(1, start, length));
            alone.mul(weights.narrow(0, row, 1).narrow(1, start, length)).sum().backward();          // gradients accumulate
        }
        var parameters = model.named_parameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, gradient) in packed) Numerics.AssertClose(Doubles(parameters[name].grad!), gradient, atol: 1e-9, what: name);
        Assert.Contains("backbone.layers.0.mixer.A_log", packed.Keys);
        Assert.All(packed.Values, g => Assert.Contains(g, v => Math.Abs(v) > 1e-9));
    }

    [Fact]
    public void SegmentsGatherTheDocumentsAndScatterThemBack()
    {
        using var scope = torch.NewDisposeScope();
        var documentIds = DocumentIds([[2, 3], [1, 4]], Device.CPU);                                // (2, 5)
        var tokens = torch.arange(10, ScalarType.Int64, Device.CPU).view(2, 5);                     // the flat position of each token
        using var segments = DocumentSegments.Create(documentIds, tokens)!;
        Assert.Equal([2L, 3, 1, 4], segments.Lengths.ToArray<long>());
        Assert.Equal(4, segments.MaxSegmentLength);
        // Right-padded with each segment's last token.
        Assert.Equal([0L, 1, 1, 1, 2, 3, 4, 4, 5, 5, 5, 5, 6, 7, 8, 9], segments.ToSegments(tokens).ToArray<long>());
        Assert.Equal(tokens.ToArray<long>(), segments.ToRows(segments.ToSegments(tokens)).ToArray<long>());
        // Every row one document: nothing to do.
        Assert.Null(DocumentSegments.Create(DocumentIds([[5], [5]], Device.CPU), tokens));
    }

    [Fact]
    public void InvalidDocumentIdsAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new LrnnLMHeadModel(ConfigFor(LruOnly));
        var ids = Ids(new Random(46), 2, 6, model.Config.VocabSize, Device.CPU);
        var valid = DocumentIds([[2, 4], [6]], Device.CPU);
        string Rejection(Action call) => Assert.Throws<ArgumentException>(call).Message;

        Assert.Contains("must have the shape of input_ids [2, 6]", Rejection(() => model.Forward(ids, documentIds: valid.narrow(1, 0, 5))));
        Assert.Contains("must be int64; got Int32", Rejection(() => model.Forward(ids, documentIds: valid.to(ScalarType.Int32))));
        var decreasing = torch.tensor(new long[] { 0, 0, 1, 1, 0, 2, 0, 0, 0, 0, 0, 0 }, [2, 6]);
        Assert.Contains("non-decreasing along each row; row 0 goes from 1 to 0 at position 4", Rejection(() => model.Forward(ids, documentIds: decreasing)));
        var lengths = torch.tensor(new long[] { 6, 4 }, [2]);
        Assert.Contains("give document_ids or lengths, not both", Rejection(() => model.Forward(ids, lengths: lengths, documentIds: valid)));
        using var cache = model.AllocateInferenceCache(2, 6);
        Assert.Contains("prefill one document at a time", Rejection(() => model.backbone.Forward(ids, MixerContext.None, cache, valid)));
    }

    /// <summary>(B, L) int64 ids: row b holds documents 0, 1, … of the given lengths.</summary>
    private static Tensor DocumentIds(long[][] lengths, Device device)
    {
        var ids = lengths.SelectMany(row => row.SelectMany((n, doc) => Enumerable.Repeat((long)doc, (int)n))).ToArray();
        return torch.tensor(ids, [lengths.Length, lengths[0].Sum()], device);
    }

    private static IEnumerable<(long Row, long Start, long Length)> Documents(long[][] lengths) =>
        lengths.SelectMany((row, b) => row.Select((n, doc) => ((long)b, row.Take(doc).Sum(), n)));
}
