using Lrnn.Tests.SafeTensors;
using Lrnn.Tokenization;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Lrnn.Tests.Tokenization;

/// <summary>
/// BPE from GPT-2-style vocab.json + merges.txt and from Hugging Face tokenizer.json, on hand-written fixtures whose ids
/// are worked out by hand below (merge rank order, the ByteLevel alphabet, added tokens, normalization).
/// </summary>
public sealed class ByteLevelBpeTokenizerTests
{
    private const string NoIcu = "Unicode normalization needs ICU; this process runs in globalization-invariant mode";

    // The 256 byte characters at ids 0..255 (so any text encodes), then merged tokens, then <|endoftext|>.
    private static readonly string[] s_merges = ["Ġ t", "h e", "Ġt he", "l l", "he ll", "hell o"];
    private static readonly (string Token, int Id)[] s_merged = [("Ġt", 256), ("he", 257), ("Ġthe", 258), ("ll", 259), ("hell", 260), ("hello", 261)];
    private const int EndOfText = 262;

    private static IEnumerable<(string, int)> Vocabulary() =>
        Enumerable.Range(0, 256).Select(b => (ByteLevelAlphabet.ToChar((byte)b).ToString(), b)).Concat(s_merged).Append(("<|endoftext|>", EndOfText));

    // "hello": h e l l o → (h,e) rank 1 → he l l o → (l,l) rank 3 → he ll o → (he,ll) rank 4 → hell o → rank 5 → hello.
    // " the": Ġ t h e → (Ġ,t) rank 0 → Ġt h e → (h,e) → Ġt he → (Ġt,he) → Ġthe.
    // " he": Ġ h e → no (Ġ,h) merge; (h,e) → Ġ he.   "é": bytes C3 A9 → ids 195, 169.
    private static readonly (string Text, long[] Ids)[] s_expected =
    [
        ("hello the", [261, 258]),
        ("hello he", [261, 32, 257]),
        ("é<|endoftext|>hell", [0xC3, 0xA9, EndOfText, 260]),
        ("  the", [32, 258]),
    ];

    private static void AssertExpectedIds(LrnnTokenizer tokenizer)
    {
        foreach (var (text, ids) in s_expected) Assert.Equal(ids, tokenizer.Encode(text));
        Assert.Equal(EndOfText + 1, tokenizer.VocabSize);
        Assert.Equal((EndOfText, EndOfText, EndOfText), (tokenizer.BosId, tokenizer.EosId, tokenizer.PadId));
    }

    [Fact]
    public void FromVocabJsonAndMergesTxtGivesTheHandComputedIds()
    {
        using var folder = new TempFolder();
        var vocab = new JObject();
        foreach (var (token, id) in Vocabulary()) vocab[token] = id;
        File.WriteAllText(folder.File("vocab.json"), vocab.ToString());
        File.WriteAllLines(folder.File("merges.txt"), ["#version: 0.2", .. s_merges]);
        var tokenizer = ByteLevelBpeTokenizer.FromVocabAndMerges(folder.File("vocab.json"), folder.File("merges.txt"));
        AssertExpectedIds(tokenizer);
        Assert.Equal(["<|endoftext|>"], tokenizer.SpecialTokens.Keys);
    }

    private static JObject TokenizerJson(bool mergesAsPairs, JToken? normalizer = null, JArray? extraAddedTokens = null, bool addPrefixSpace = false)
    {
        var vocab = new JObject();
        foreach (var (token, id) in Vocabulary()) vocab[token] = id;
        var added = new JArray(new JObject
        {
            ["id"] = EndOfText, ["content"] = "<|endoftext|>", ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
            ["normalized"] = false, ["special"] = true,
        });
        foreach (var extra in extraAddedTokens ?? []) added.Add(extra);
        return new JObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] = new JObject { ["type"] = "ByteLevel", ["add_prefix_space"] = addPrefixSpace, ["trim_offsets"] = true, ["use_regex"] = true },
            ["post_processor"] = new JObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true },
            ["decoder"] = new JObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true },
            ["model"] = new JObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["vocab"] = vocab,
                ["merges"] = mergesAsPairs ? new JArray(s_merges.Select(m => new JArray(m.Split(' ')))) : new JArray(s_merges),
            },
        };
    }

    private static LrnnTokenizer Load(JObject json, TempFolder folder)
    {
        File.WriteAllText(folder.File(LrnnTokenizer.FileName), json.ToString());
        return LrnnTokenizer.FromPretrained(folder.Path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FromTokenizerJsonGivesTheHandComputedIdsWithEitherMergeEncoding(bool mergesAsPairs)
    {
        using var folder = new TempFolder();
        AssertExpectedIds(Load(TokenizerJson(mergesAsPairs), folder));
    }

    [Fact]
    public void NeoXStyleNormalizerAndAddedWhitespaceTokens()
    {
        if (!TextNormalizer.UnicodeNormalizationAvailable)
        {
            // Without ICU the normalizer refuses non-ASCII text rather than return other ids than Hugging Face's.
            Assert.Throws<NotSupportedException>(() => new TextNormalizer(["NFC"]).Apply("e\u0301"));
            Assert.Skip(NoIcu);
        }
        // GPT-NeoX (the tokenizer of the Mamba checkpoints): NFC normalization, and runs of spaces as added tokens that
        // are not special and match in the normalized text, longest first.
        var spaces = new JArray(
            new JObject { ["id"] = 263, ["content"] = "  ", ["normalized"] = true, ["special"] = false },
            new JObject { ["id"] = 264, ["content"] = "   ", ["normalized"] = true, ["special"] = false });
        using var folder = new TempFolder();
        var tokenizer = Load(TokenizerJson(mergesAsPairs: false, new JObject { ["type"] = "NFC" }, spaces), folder);
        Assert.Equal(265, tokenizer.VocabSize);
        // "e" + U+0301 composes to é (C3 A9); five spaces are "   " + "  ", then "the" without its Ġ: t, he.
        Assert.Equal([0xC3L, 0xA9, 264, 263, 't', 257], tokenizer.Encode("e\u0301     the"));
        Assert.Equal("é     the", tokenizer.Decode(tokenizer.Encode("e\u0301     the")));
        Assert.False(tokenizer.IsSpecial(263));
    }

    [Fact]
    public void AddPrefixSpaceAppliesToEveryStretchBetweenAddedTokens()
    {
        using var folder = new TempFolder();
        var tokenizer = Load(TokenizerJson(mergesAsPairs: false, addPrefixSpace: true), folder);
        Assert.Equal([258L, EndOfText, 258], tokenizer.Encode("the<|endoftext|>the"));
    }

    [Fact]
    public void RegexSplitBeforeByteLevel()
    {
        // Sequence[Split(one letter or a space, Isolated), ByteLevel(use_regex=false)]: "the" is cut into t, h, e, so
        // no merge applies (GPT-2's regex would keep "the" whole: t, he).
        using var folder = new TempFolder();
        var json = TokenizerJson(mergesAsPairs: false);
        json["pre_tokenizer"] = new JObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JArray(
                new JObject { ["type"] = "Split", ["pattern"] = new JObject { ["Regex"] = "[a-z]| " }, ["behavior"] = "Isolated", ["invert"] = false },
                new JObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false }),
        };
        var tokenizer = Load(json, folder);
        Assert.Equal(['t', 'h', 'e', 32L, '1', '2'], tokenizer.Encode("the 12"));
        tokenizer.Save(folder.Path);
        var reloaded = Assert.IsType<ByteLevelBpeTokenizer>(LrnnTokenizer.FromPretrained(folder.Path));
        Assert.Equal(new ByteLevelPreTokenizer(AddPrefixSpace: false, UseRegex: false, "[a-z]| "), reloaded.PreTokenizer);
        Assert.Equal(['t', 'h', 'e', 32L, '1', '2'], reloaded.Encode("the 12"));
    }

    [Fact]
    public void SpecialTokenRolesComeFromTokenizerConfig()
    {
        using var folder = new TempFolder();
        var json = TokenizerJson(mergesAsPairs: false);
        ((JArray)json["added_tokens"]!).Add(new JObject { ["id"] = 263, ["content"] = "<s>", ["special"] = true });
        File.WriteAllText(folder.File(LrnnTokenizer.ConfigFileName), """{"bos_token": {"content": "<s>"}, "eos_token": "<|endoftext|>"}""");
        var tokenizer = Load(json, folder);
        Assert.Equal((263, EndOfText, EndOfText), (tokenizer.BosId, tokenizer.EosId, tokenizer.PadId));
        using (var saved = new TempFolder())
        {
            tokenizer.Save(saved.Path);
            Assert.Equal(new SpecialTokenRoles("<s>", "<|endoftext|>", "<|endoftext|>"), SpecialTokenRoles.Read(saved.File(LrnnTokenizer.ConfigFileName)));
            Assert.Equal(263, LrnnTokenizer.FromPretrained(saved.Path).BosId);
        }
        File.WriteAllText(folder.File(LrnnTokenizer.ConfigFileName), """{"bos_token": "<missing>"}""");
        Assert.Contains("<missing>", Assert.Throws<InvalidDataException>(() => LrnnTokenizer.FromPretrained(folder.Path)).Message);
    }

    [Fact]
    public void WhatItCannotReproduceIsRefusedByName()
    {
        using var folder = new TempFolder();
        var unigram = TokenizerJson(false);
        unigram["model"]!["type"] = "Unigram";
        Assert.Contains("Unigram", Assert.Throws<NotSupportedException>(() => Load(unigram, folder)).Message);
        var metaspace = TokenizerJson(false);
        metaspace["pre_tokenizer"] = new JObject { ["type"] = "Metaspace" };
        Assert.Contains("Metaspace", Assert.Throws<NotSupportedException>(() => Load(metaspace, folder)).Message);
        var lstrip = TokenizerJson(false);
        lstrip["added_tokens"]![0]!["lstrip"] = true;
        Assert.Contains("lstrip", Assert.Throws<NotSupportedException>(() => Load(lstrip, folder)).Message);
        var badMerge = TokenizerJson(false);
        ((JArray)badMerge["model"]!["merges"]!).Add("q z");
        Assert.Contains("'q' + 'z'", Assert.Throws<InvalidDataException>(() => Load(badMerge, folder)).Message);
        var malformed = TokenizerJson(false);
        ((JArray)malformed["model"]!["merges"]!).Add("a");
        Assert.Contains("merges[6]", Assert.Throws<InvalidDataException>(() => Load(malformed, folder)).Message);
        File.WriteAllText(folder.File(LrnnTokenizer.FileName), "{ not json");
        Assert.Throws<InvalidDataException>(() => LrnnTokenizer.FromPretrained(folder.Path));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteTokenizer().Decode([259]));
    }

    [Fact]
    public void WrittenJsonReloadsWithTheSameIds()
    {
        if (!TextNormalizer.UnicodeNormalizationAvailable) Assert.Skip(NoIcu);
        using var folder = new TempFolder();
        var original = Load(TokenizerJson(mergesAsPairs: false, new JObject { ["type"] = "NFC" }), folder);
        original.Save(folder.Path);
        var written = JObject.Parse(File.ReadAllText(folder.File(LrnnTokenizer.FileName)));
        Assert.Equal(new JArray("Ġ", "t"), written["model"]!["merges"]![0]);
        Assert.Equal("NFC", (string?)written["normalizer"]!["type"]);
        AssertExpectedIds(LrnnTokenizer.FromPretrained(folder.Path));
    }
}
