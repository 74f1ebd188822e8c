using System.Text;
using Lrnn.Data;
using Lrnn.Tokenization;

namespace Lrnn.Tests.Tokenization;

/// <summary>
/// Text for the tokenizer tests: the first megabyte of the KJV corpus (scripts/setup.sh installs it as
/// artifacts/corpus/kjv.txt) when present, and always a generated text of many scripts, emoji, digits, punctuation and
/// whitespace runs, so multi-byte characters split across tokens are exercised. No document holds a special token's text
/// (BPE tokenizers, like Hugging Face's, encode "&lt;|endoftext|&gt;" in the text as the special token, which decodes to nothing).
/// </summary>
internal static class TokenizerTestData
{
    private static readonly Lazy<IReadOnlyList<string>> s_documents = new(Load);
    private static readonly Lazy<ByteLevelBpeTokenizer> s_trained = new(() => new ByteLevelBpeTrainer(1024).Train(Documents));

    /// <summary>The documents: KJV chapters (when installed) and the generated ones.</summary>
    public static IReadOnlyList<string> Documents => s_documents.Value;

    /// <summary>A 1024-id BPE trained on <see cref="Documents"/>.</summary>
    public static ByteLevelBpeTokenizer Trained => s_trained.Value;

    public static string? CorpusPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "artifacts", "corpus", "kjv.txt");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static List<string> Load()
    {
        var documents = new List<string>();
        if (CorpusPath() is { } path)
        {
            var text = File.ReadAllText(path);
            documents.AddRange(TextCorpus.SplitDocuments(text[..Math.Min(text.Length, 1 << 20)]));
        }
        documents.AddRange(Generated());
        return documents;
    }

    private static IEnumerable<string> Generated()
    {
        string[] words =
        [
            "the", "beginning", "naïve", "café", "Straße", "ünïcödé", "日本語", "中文字", "한국어", "עִבְרִית", "العربية", "Ελληνικά", "русский",
            "🌍", "👩‍👩‍👧", "🎉🎉", "𝐀𝐁", "1234567", "3.14159", "it's", "we'll", "they'd", "—", "«»", "!?", "...", "\t", "  ", "   ",
            "\n", "\r\n", "<b>", "<|", "|>", "x", "ab", "aaaaaaaa",
        ];
        var random = new Random(7);
        for (var d = 0; d < 40; d++)
        {
            var text = new StringBuilder();
            for (var w = 0; w < 400; w++)
            {
                text.Append(words[random.Next(words.Length)]);
                if (random.Next(3) > 0) text.Append(' ');
            }
            yield return text.ToString();
        }
    }
}
