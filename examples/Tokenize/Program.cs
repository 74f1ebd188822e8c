// Trains a byte-level BPE tokenizer on a corpus and encodes a corpus with any of Lrnn's tokenizers, writing the ids in
// a form that scripts/verify-tokenizer.py (Hugging Face `tokenizers`, on a machine with Python) compares.
//
//   Tokenize train  --corpus artifacts/corpus/kjv.txt --vocab 4096 --out artifacts/tokenizer-kjv-4096
//   Tokenize encode --tokenizer artifacts/tokenizer-kjv-4096 --corpus artifacts/corpus/kjv.txt --summary ours.json --ids ours.ids
//   Tokenize save   --tokenizer gpt2 --out artifacts/tokenizer-gpt2          # any tokenizer as tokenizer.json
//
// --tokenizer: a folder or tokenizer.json file, `bytes` or `gpt2` (tiktoken). The corpus is split into documents as
// Pretrain splits it (Lrnn.Data.TextCorpus: blank lines); each document is encoded without BOS/EOS. --ids writes every id
// as a little-endian int32, documents one after another; --summary the document and token counts and the ids' SHA-256.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Lrnn.Data;
using Lrnn.Tokenization;
using Newtonsoft.Json.Linq;

if (args.Length == 0 || args[0] is not ("train" or "encode" or "save"))
{
    Console.Error.WriteLine("usage: Tokenize train --corpus <file> --vocab <n> --out <folder> [--min-frequency <n>]\n" +
                            "       Tokenize save --tokenizer <folder|tokenizer.json|bytes|gpt2> --out <folder>\n" +
                            "       Tokenize encode --tokenizer <folder|tokenizer.json|bytes|gpt2> --corpus <file> [--summary <json>] [--ids <file>]");
    return 2;
}
var options = new Dictionary<string, string>();
for (var i = 1; i < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"expected --option value, got '{args[i]}'");
        return 2;
    }
    options[args[i][2..]] = args[i + 1];
}
try
{
    return Run(args[0], options);
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or NotSupportedException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

static int Run(string command, Dictionary<string, string> options)
{
    string Required(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");
    var clock = Stopwatch.StartNew();
    if (command == "save")
    {
        Open(Required("tokenizer")).Save(Required("out"));
        Console.WriteLine($"wrote {Path.Combine(Required("out"), LrnnTokenizer.FileName)}");
        return 0;
    }
    var corpus = TextCorpus.Load(Required("corpus"));
    if (command == "train")
    {
        var trainer = new ByteLevelBpeTrainer(int.Parse(Required("vocab"), CultureInfo.InvariantCulture),
            minFrequency: options.TryGetValue("min-frequency", out var min) ? int.Parse(min, CultureInfo.InvariantCulture) : 2);
        var tokenizer = trainer.Train(corpus.Documents);
        tokenizer.Save(Required("out"));
        Console.WriteLine($"trained {tokenizer.VocabSize} tokens ({tokenizer.Merges.Count} merges) on {corpus.Documents.Count} documents " +
                          $"in {clock.Elapsed.TotalSeconds:F2} s; wrote {Path.Combine(Required("out"), LrnnTokenizer.FileName)}");
        return 0;
    }

    var encoder = Open(Required("tokenizer"));
    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    using var ids = options.TryGetValue("ids", out var idsPath) ? new BinaryWriter(File.Create(idsPath)) : null;
    long tokens = 0, bytes = 0;
    var buffer = new byte[4];
    foreach (var document in corpus.Documents)
    {
        foreach (var id in encoder.Encode(document))
        {
            BitConverter.TryWriteBytes(buffer, checked((int)id));
            hash.AppendData(buffer);
            ids?.Write(buffer);
            tokens++;
        }
        bytes += System.Text.Encoding.UTF8.GetByteCount(document);
    }
    var summary = new JObject
    {
        ["documents"] = corpus.Documents.Count,
        ["tokens"] = tokens,
        ["bytes"] = bytes,
        ["sha256"] = Convert.ToHexStringLower(hash.GetHashAndReset()),
    };
    Console.WriteLine($"{summary.ToString(Newtonsoft.Json.Formatting.None)}  ({bytes / (double)tokens:F3} bytes/token, {clock.Elapsed.TotalSeconds:F2} s)");
    if (options.TryGetValue("summary", out var summaryPath)) File.WriteAllText(summaryPath, summary.ToString() + "\n");
    return 0;
}

static LrnnTokenizer Open(string name) => name switch
{
    "bytes" => new ByteTokenizer(),
    "gpt2" => new TiktokenGpt2Tokenizer(),
    _ when File.Exists(name) => LrnnTokenizer.FromFile(name),
    _ => LrnnTokenizer.FromPretrained(name),
};
