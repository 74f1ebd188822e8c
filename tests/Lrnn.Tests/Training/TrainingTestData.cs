using Lrnn.Config;
using Lrnn.Data;
using Lrnn.Tokenization;
using Newtonsoft.Json.Linq;

namespace Lrnn.Tests.Training;

/// <summary>
/// A small real text (Genesis 1:1–13, KJV) and a tiny LRU + attention + MLP byte model for training tests, with the
/// examples' head: split "bytes" (256) and "special" (BOS, EOS, PAD) embeddings and head, tied.
/// </summary>
internal static class TrainingTestData
{
    public const string Text = """
        1 In the beginning God created the heaven and the earth.
        2 And the earth was without form, and void; and darkness was upon the face of the deep. And the Spirit of God moved upon the face of the waters.

        3 And God said, Let there be light: and there was light.
        4 And God saw the light, that it was good: and God divided the light from the darkness.
        5 And God called the light Day, and the darkness he called Night. And the evening and the morning were the first day.

        6 And God said, Let there be a firmament in the midst of the waters, and let it divide the waters from the waters.
        7 And God made the firmament, and divided the waters which were under the firmament from the waters which were above the firmament: and it was so.
        8 And God called the firmament Heaven. And the evening and the morning were the second day.

        9 And God said, Let the waters under the heaven be gathered together unto one place, and let the dry land appear: and it was so.
        10 And God called the dry land Earth; and the gathering together of the waters called he Seas: and God saw that it was good.

        11 And God said, Let the earth bring forth grass, the herb yielding seed, and the fruit tree yielding fruit after his kind, whose seed is in itself, upon the earth: and it was so.
        12 And the earth brought forth grass, and herb yielding seed after his kind, and the tree yielding fruit, whose seed was in itself, after his kind: and God saw that it was good.
        13 And the evening and the morning were the third day.
        """;

    public static readonly ByteTokenizer Tokenizer = new();

    public static TextCorpus Corpus => new(TextCorpus.SplitDocuments(Text).ToList());

    public static LrnnConfig ModelConfig(long dModel = 32) => new LrnnConfig
    {
        DModel = dModel, DState = 16, NLayer = 3, VocabSize = Tokenizer.VocabSize, MixerTypes = ["LRU", "attn", "LRU"],
        DIntermediate = 64, FusedAddNorm = false, PadVocabSizeMultiple = 1,
        LmHead = new LMHeadConfig
        {
            Name = LMHeadConfig.Split,
            SplitVocabSize = new Dictionary<string, long> { ["bytes"] = ByteTokenizer.ByteCount, ["special"] = 3 },
            SplitOrder = ["bytes", "special"],
        },
        MixerKwargs = new JObject { ["attn"] = new JObject { ["num_heads"] = 2, ["rotary_emb_dim"] = 4 } },
    }.Validate();
}
