using Lrnn.Tokenization;
using Xunit;

namespace Lrnn.Tests.Tokenization;

public sealed class TiktokenGpt2TokenizerTests
{
    private static readonly TiktokenGpt2Tokenizer s_gpt2 = new();

    [Fact]
    public void GivesGpt2Ids()
    {
        // GPT-2's ids (OpenAI's encoder.json): "Hello" 15496, " world" 995, <|endoftext|> 50256, " it" 340, "'s" 338, " " 220, " ok" 12876.
        Assert.Equal([15496L, 995, 50256, 340, 338, 220, 12876], s_gpt2.Encode("Hello world<|endoftext|> it's  ok"));
        Assert.Equal(50257, s_gpt2.VocabSize);
        Assert.Equal((50256, 50256, 50256), (s_gpt2.BosId, s_gpt2.EosId, s_gpt2.PadId));
        Assert.Equal(" world"u8.ToArray(), s_gpt2.TokenBytes(995).ToArray());
    }

    [Fact]
    public void ConvertedToBpeItGivesTheSameIds()
    {
        var bpe = s_gpt2.ToBpe();
        Assert.Equal(s_gpt2.VocabSize, bpe.VocabSize);
        foreach (var document in TokenizerTestData.Documents.Take(200))
            Assert.Equal(s_gpt2.Encode(document), bpe.Encode(document));
    }
}
