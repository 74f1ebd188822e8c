using Lrnn.Config;
using Lrnn.Heads;
using Lrnn.Modules;
using Lrnn.Tests.Losses;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Heads;

public sealed class SplitVocabularyTests
{
    private static SplitVocabulary TextThenSpecial() =>
        new(new Dictionary<string, long> { ["special"] = 3, ["text"] = 7 }, ["text", "special"]);

    [Fact]
    public void SplitOrderDefinesTheGlobalIds()
    {
        var vocabulary = TextThenSpecial();
        Assert.Equal(10, vocabulary.Size);
        Assert.Equal(new SplitVocabulary.Part("text", 0, 7), vocabulary["text"]);
        Assert.Equal(new SplitVocabulary.Part("special", 7, 3), vocabulary["special"]);
        Assert.Throws<ArgumentException>(() => new SplitVocabulary(new Dictionary<string, long> { ["a"] = 2 }, ["a", "b"]));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GlobalIdsEmbedAsTheRowOfTheirSplit(string device)
    {
        using var scope = torch.NewDisposeScope();
        using var embeddings = new SplitTokenEmbeddings(TextThenSpecial(), 4, ScalarType.Float64, device);
        var ids = new long[] { 0, 6, 7, 9, 3 };
        var output = Doubles(embeddings.call(torch.tensor(ids, [1, 5], device)));
        var text = Doubles(embeddings.Split("text").weight);
        var special = Doubles(embeddings.Split("special").weight);
        var expected = ids.SelectMany(id => id < 7 ? text.Skip((int)id * 4).Take(4) : special.Skip((int)(id - 7) * 4).Take(4)).ToArray();
        Assert.Equal(expected, output);
        Assert.Equal(new[] { "text.weight", "special.weight" }, embeddings.named_parameters().Select(p => p.Name));
    }

    [Fact]
    public void IdsOutsideEverySplitAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        using var embeddings = new SplitTokenEmbeddings(TextThenSpecial(), 4);
        foreach (var bad in new long[] { 10, -100 })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => embeddings.call(torch.tensor(new[] { 1L, bad }, [1, 2])));
            Assert.Contains("[0, 10)", error.Message);
        }
    }

    [Fact]
    public void AFrozenSplitGetsNoGradientAndTheOthersTrain()
    {
        using var scope = torch.NewDisposeScope();
        using var embeddings = new SplitTokenEmbeddings(TextThenSpecial(), 4);
        using var head = HeadLossTests.BuildHead(LMHeadConfig.Split, Lrnn.Losses.LossFunctions.FusedLinear, zLoss: null, Device.CPU,
            dtype: ScalarType.Float32);
        var split = (SplitLMHead)head;
        embeddings.Freeze("text");
        split.Freeze("text");
        var ids = torch.tensor(new long[] { 1, 8, 2, 9 }, [1, 4]);
        var labels = torch.tensor(new long[] { 8, 2, 9, 7 }, [1, 4]);
        using (var output = head.Forward(embeddings.call(ids), labels)) output.Loss.backward();
        Assert.Null(embeddings.Split("text").weight.grad);
        Assert.Null(split.Split("text").weight.grad);
        // Rows 8 − 7 = 1 and 9 − 7 = 2 of the special table were looked up: they, and only they, get a gradient.
        var specialGrad = Doubles(embeddings.Split("special").weight.grad!);
        Assert.All(specialGrad.Take(4), g => Assert.Equal(0.0, g));
        Assert.Contains(specialGrad.Skip(4), g => g != 0);
        Assert.Contains(Doubles(split.Split("special").weight.grad!), g => g != 0);
    }
}
