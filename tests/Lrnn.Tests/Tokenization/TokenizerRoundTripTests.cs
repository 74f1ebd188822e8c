using System.Text;
using Lrnn.Tests.SafeTensors;
using Lrnn.Tokenization;
using Xunit;

namespace Lrnn.Tests.Tokenization;

/// <summary>Every tokenizer gives back the text it encoded, byte for byte, decoded whole or streamed one id at a time.</summary>
public sealed class TokenizerRoundTripTests
{
    public static TheoryData<string> Names => ["bytes", "bytes (tokenizer.json)", "trained bpe", "trained bpe (tokenizer.json)", "gpt2", "gpt2 (tokenizer.json)"];

    private static LrnnTokenizer Create(string name)
    {
        LrnnTokenizer tokenizer = name.Split(' ')[0] switch
        {
            "bytes" => new ByteTokenizer(),
            "trained" => TokenizerTestData.Trained,
            _ => new TiktokenGpt2Tokenizer(),
        };
        if (!name.EndsWith("(tokenizer.json)", StringComparison.Ordinal)) return tokenizer;
        using var folder = new TempFolder();
        tokenizer.Save(folder.Path);
        return LrnnTokenizer.FromPretrained(folder.Path);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void RoundTripsTheCorpus(string name)
    {
        var tokenizer = Create(name);
        foreach (var document in TokenizerTestData.Documents)
        {
            var ids = tokenizer.Encode(document, addBos: true, addEos: true);
            Assert.Equal(tokenizer.BosId, ids[0]);
            Assert.Equal(tokenizer.EosId, ids[^1]);
            Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabSize - 1));
            Assert.Equal(document, tokenizer.Decode(ids));
            // The tokens' bytes are the text's UTF-8 bytes: the basis of streaming and of losses per byte.
            var bytes = ids.SelectMany(id => tokenizer.TokenBytes(id).ToArray()).ToArray();
            Assert.Equal(Encoding.UTF8.GetBytes(document), bytes);
            Assert.Equal(bytes.Length, ids.Sum(id => (long)tokenizer.ByteLength(id)));
            var decoder = tokenizer.CreateStreamingDecoder();
            Assert.Equal(document, string.Concat(ids.Select(decoder.Push)));
        }
    }

    [Theory]
    [InlineData("bytes")]
    [InlineData("trained bpe")]
    [InlineData("gpt2")]
    public void SavedTokenizerGivesTheSameIds(string name)
    {
        var original = Create(name);
        var reloaded = Create(name + " (tokenizer.json)");
        Assert.NotSame(original, reloaded);
        Assert.Equal(original.VocabSize, reloaded.VocabSize);
        Assert.Equal((original.BosId, original.EosId, original.PadId), (reloaded.BosId, reloaded.EosId, reloaded.PadId));
        Assert.Equal(original.SpecialTokens.OrderBy(kv => kv.Value), reloaded.SpecialTokens.OrderBy(kv => kv.Value));
        foreach (var document in TokenizerTestData.Documents)
            Assert.Equal(original.Encode(document), reloaded.Encode(document));
    }

    [Fact]
    public void StreamingHoldsACharacterSplitAcrossBpeTokens()
    {
        // A vocabulary whose tokens cut 🌍 (F0 9F 8C 8D) in two and é (C3 A9) in two.
        string S(params byte[] b) => ByteLevelAlphabet.Encode(b);
        var vocabulary = Enumerable.Range(0, 256).Select(b => (S((byte)b), b))
            .Concat([(S(0xF0, 0x9F), 256), (S(0x8C, 0x8D), 257), (S(0x61, 0xC3), 258), ("<eos>", 259)]);
        var tokenizer = new ByteLevelBpeTokenizer(vocabulary, [(S(0xF0), S(0x9F)), (S(0x8C), S(0x8D)), (S(0x61), S(0xC3))],
            [new AddedToken("<eos>", 259, Special: true)], null, ByteLevelPreTokenizer.Gpt2);
        var ids = tokenizer.Encode("🌍aé", addEos: true);
        Assert.Equal([256L, 257, 258, 0xA9, 259], ids);
        var decoder = tokenizer.CreateStreamingDecoder();
        Assert.Equal(["", "🌍", "a", "é", ""], ids.Select(decoder.Push).ToArray());
    }
}
