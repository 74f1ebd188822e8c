using System.Diagnostics;
using System.Globalization;
using Lrnn.Tokenization;
using Microsoft.Extensions.Logging;

/// <summary>
/// The --tokenizer option: <c>bytes</c> (UTF-8 bytes + BOS, EOS, PAD), <c>bpe:N</c> (byte-level BPE with N ids, trained
/// on the training split by <see cref="ByteLevelBpeTrainer"/>) or <c>gpt2</c> (tiktoken's GPT-2).
/// </summary>
internal sealed record TokenizerChoice(string Kind, int VocabSize)
{
    public static TokenizerChoice Parse(string spec) => spec.Split(':') switch
    {
        ["bytes"] => new("bytes", new ByteTokenizer().VocabSize),
        ["gpt2"] => new("gpt2", TiktokenGpt2Tokenizer.EndOfTextId + 1),
        ["bpe", var n] when int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size >= 259 => new("bpe", size),
        _ => throw new ArgumentException($"--tokenizer '{spec}' is not bytes, bpe:<vocabulary size ≥ 259> or gpt2"),
    };

    /// <summary>The preset's tokenizer when --tokenizer is not given: bytes on CPU, BPE on GPU.</summary>
    public static TokenizerChoice For(string preset) => Parse(preset switch { "cpu" => "bytes", "gpu" => "bpe:4096", _ => "bpe:8192" });

    public override string ToString() => Kind == "bpe" ? $"bpe:{VocabSize}" : Kind;

    /// <summary>
    /// The tokenizer: a BPE is trained on <paramref name="trainDocuments"/>, except on resume, where the checkpoint's
    /// tokenizer.json is loaded (the ids the checkpoint was trained with).
    /// </summary>
    public LrnnTokenizer Create(IReadOnlyList<string> trainDocuments, string? resumeFrom, ILogger logger)
    {
        if (Kind == "bytes") return new ByteTokenizer();
        if (Kind == "gpt2") return new TiktokenGpt2Tokenizer();
        if (resumeFrom is not null && File.Exists(Path.Combine(resumeFrom, LrnnTokenizer.FileName)))
        {
            var saved = LrnnTokenizer.FromPretrained(resumeFrom);
            if (saved.VocabSize > VocabSize)
                throw new InvalidDataException($"{resumeFrom}'s tokenizer has {saved.VocabSize} ids, more than --tokenizer {this} allows");
            return saved;
        }
        var clock = Stopwatch.StartNew();
        var tokenizer = new ByteLevelBpeTrainer(VocabSize).Train(trainDocuments);
        logger.LogInformation("Trained a byte-level BPE of {Tokens} tokens ({Merges} merges) on the training split in {Seconds:F1} s",
            tokenizer.VocabSize, tokenizer.Merges.Count, clock.Elapsed.TotalSeconds);
        return tokenizer;
    }
}
