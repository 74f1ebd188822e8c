using Lrnn.Tests.SafeTensors;
using Lrnn.Tokenization;
using Xunit;

namespace Lrnn.Tests.Tokenization;

public sealed class ByteTokenizerTests
{
    private readonly ByteTokenizer _tokenizer = new();

    [Fact]
    public void EncodesUtf8BytesAndFramesWithSpecials()
    {
        Assert.Equal(259, _tokenizer.VocabSize);
        Assert.Equal([256L, 72, 105, 0xC3, 0xA9, 257], _tokenizer.Encode("Hié", addBos: true, addEos: true));
        Assert.Equal([72L, 105], _tokenizer.Encode("Hi"));
        Assert.Equal((256, 257, 258), (_tokenizer.BosId, _tokenizer.EosId, _tokenizer.PadId));
    }

    [Fact]
    public void DecodeSkipsSpecialsAndRoundTrips()
    {
        const string text = "In the beginning — «לְ» 🌍\n";
        var ids = _tokenizer.Encode(text, addBos: true, addEos: true).Append(_tokenizer.PadId);
        Assert.Equal(text, _tokenizer.Decode(ids));
    }

    [Fact]
    public void StreamingDecoderHoldsPartialCharacters()
    {
        var decoder = _tokenizer.CreateStreamingDecoder();
        var pieces = _tokenizer.Encode("aé🌍").Prepend(_tokenizer.BosId).Select(decoder.Push).ToList();
        // BOS, 'a', é = 2 bytes, 🌍 = 4 bytes (a surrogate pair once complete).
        Assert.Equal(["", "a", "", "é", "", "", "", "🌍"], pieces);
    }

    [Fact]
    public void SavesAndLoadsTokenizerJson()
    {
        using var folder = new TempFolder();
        _tokenizer.Save(folder.Path);
        Assert.Equal(259, ByteTokenizer.Load(folder.Path).VocabSize);
        // Hugging Face's format: a BPE model without merges over the 256 byte characters, the specials as added tokens.
        var json = Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllText(folder.File(ByteTokenizer.FileName)));
        Assert.Equal("BPE", (string?)json["model"]!["type"]);
        Assert.Empty(json["model"]!["merges"]!);
        Assert.Equal(256, json["model"]!["vocab"]!.Count());
        Assert.Equal(32, (int)json["model"]!["vocab"]!["Ġ"]!);
        Assert.Equal(["<bos>", "<eos>", "<pad>"], json["added_tokens"]!.Select(t => (string)t["content"]!));
        // The earlier {"type": "byte"} file (the shipped checkpoint's) still loads.
        File.WriteAllText(folder.File(ByteTokenizer.FileName), """{"type": "byte", "byte_count": 256, "special_tokens": {"<bos>": 256, "<eos>": 257, "<pad>": 258}}""");
        Assert.IsType<ByteTokenizer>(LrnnTokenizer.FromPretrained(folder.Path));
        File.WriteAllText(folder.File(ByteTokenizer.FileName), """{"type": "byte", "byte_count": 256, "special_tokens": {"<bos>": 1}}""");
        Assert.Throws<InvalidDataException>(() => ByteTokenizer.Load(folder.Path));
    }
}
