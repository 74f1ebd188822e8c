// Pretrains a small LRU + attention + MLP hybrid on the King James Bible (scripts/install-corpus.sh installs it from
// Debian's bible-kjv-text package), saves it under checkpoints/, reloads it and prints generated text.
//
//   dotnet run --project examples/Pretrain -c Release                         # the CPU preset, a few minutes
//   Pretrain --preset gpu --device cuda --corpus /data/kjv.txt --out checkpoints/kjv --max-minutes 10
//
// Options: --preset cpu|gpu|gpu-30m|gpu-125m   --device cpu|cuda   --corpus <file or folder of .txt>
//          --out <checkpoint folder>   --max-minutes <m>   --steps <n>   --seed <s>   --resume   --prompt <text>
//          --bf16 (bfloat16 autocast of the forward and the loss)   --describe (print the preset's model and exit)
//          --reset-at-documents (every mixer starts each packed document from a fresh state; docs/pretraining.md)
//          --tokenizer bytes|bpe:<vocabulary size>|gpt2 (default: bytes for the cpu preset, bpe:4096 for gpu, bpe:8192
//          for the larger ones; a BPE is trained on the training split and saved as the checkpoint's tokenizer.json)
//          --threads <n> (libtorch's intra-op threads; default LRNN_NUM_THREADS, else the physical cores)
// Without --corpus the corpus is looked up as artifacts/corpus/kjv.txt in this folder and its parents, so the
// published executable (no dotnet, no apt on the GPU machine) runs with the file passed by path.
using System.Globalization;
using Lrnn.Data;
using Lrnn.Generation;
using Lrnn.Models;
using Lrnn.Tokenization;
using Lrnn.Torch;
using Lrnn.Training;
using Microsoft.Extensions.Logging;

var arguments = Arguments.Parse(args);
using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
}));
var logger = loggerFactory.CreateLogger("Pretrain");

if (arguments.Threads is { } threads) torch.set_num_threads(threads);
logger.LogInformation("{Info}", torch.Info);
var tokenizerChoice = arguments.Tokenizer is { } spec ? TokenizerChoice.Parse(spec) : TokenizerChoice.For(arguments.Preset);
var preset = Preset.Get(arguments.Preset, tokenizerChoice.VocabSize, splitBytes: tokenizerChoice.Kind == "bytes");
var device = arguments.Device ?? (arguments.Preset == "cpu" || !torch.cuda.is_available() ? Device.CPU : Device.CUDA());
if (device.Type == DeviceType.CPU && !arguments.Describe)
{
    // The CPU path's speed depends on the BLAS and the thread count; a 0.1 s matrix-product measurement shows both.
    var cpu = CpuPerformance.Check();
    logger.LogInformation("CPU: {Report}", cpu);
    if (cpu.Warning is not null) logger.LogWarning("{Warning}", cpu.Warning);
}
var options = preset.Training with
{
    Seed = arguments.Seed,
    MaxSteps = arguments.Steps ?? preset.Training.MaxSteps,
    MaxDuration = arguments.MaxMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : preset.Training.MaxDuration,
    // bf16 autocast is opt-in: the shipped checkpoint and the measured runs are float32.
    AutocastDtype = arguments.Bf16 ? ScalarType.BFloat16 : null,
    ResetStateAtDocumentBoundaries = arguments.ResetAtDocuments,
};
var output = arguments.Output ?? Path.Combine("checkpoints", "kjv-" + preset.Name);
if (arguments.Describe)
{
    using var described = new LrnnLMHeadModel(preset.Config);
    Console.WriteLine($"preset {preset.Name}: {described.parameter_count():N0} parameters, {preset.SequenceLength}-token sequences, " +
                      $"{preset.Training.MaxSteps} steps of {preset.Training.BatchSize} × {preset.Training.GradientAccumulationSteps} sequences");
    Console.WriteLine(preset.Config.ToJson());
    return 0;
}

var corpusPath = arguments.Corpus ?? FindCorpus();
var corpus = TextCorpus.Load(corpusPath);
var (trainText, validationText) = corpus.Split(validationFraction: 0.05, seed: arguments.Seed);
var tokenizer = tokenizerChoice.Create(trainText.Documents, arguments.Resume ? output : null, logger);
var train = new PackedSequences(trainText.Documents, tokenizer, preset.SequenceLength);
var validation = new PackedSequences(validationText.Documents, tokenizer, preset.SequenceLength);
logger.LogInformation("Corpus {Path}: {Documents} documents, {Characters:N0} characters; {Train:N0} training and {Validation:N0} validation tokens",
    corpusPath, corpus.Documents.Count, corpus.CharacterCount, train.TokenCount, validation.TokenCount);
logger.LogInformation("Preset {Preset} ({Description}) on {Device}, tokenizer {Tokenizer}", preset.Name, preset.Description, device, tokenizerChoice);

torch.manual_seed((ulong)arguments.Seed);
using (var model = new LrnnLMHeadModel(preset.Config, device: device))
using (var trainer = new Trainer(model, train, validation, options, logger, tokenizer))
{
    if (arguments.Resume && File.Exists(Path.Combine(output, TrainerState.FileName))) trainer.Resume(output);
    var result = trainer.Train(output);
    logger.LogInformation("Done: {Steps} steps, {Tokens:N0} tokens in {Elapsed:hh\\:mm\\:ss}; validation loss {Loss:F4} (perplexity {Perplexity:F2}, {BitsPerByte:F4} bits/byte){Early}",
        result.Steps, result.TokensSeen, result.Elapsed, result.ValidationLoss, result.ValidationPerplexity, result.ValidationBitsPerByte,
        result.StoppedEarly ? ", stopped by the time limit" : "");
}

// Reload from disk, as a user of the checkpoint would, and write.
using (var reloaded = LrnnLMHeadModel.FromPretrained(output, device))
{
    var savedTokenizer = LrnnTokenizer.FromPretrained(output);
    var decoder = savedTokenizer.CreateStreamingDecoder();
    var generation = new GenerationOptions
    {
        MaxNewTokens = 400, Temperature = 0.8, TopK = 40, RepetitionPenalty = 1.05, StopTokens = [savedTokenizer.EosId], Seed = arguments.Seed,
    };
    Console.WriteLine();
    Console.WriteLine($"--- {output}, sampled (temperature {generation.Temperature}, top-k {generation.TopK}) ---");
    Console.Write(arguments.Prompt);
    reloaded.Generate([savedTokenizer.Encode(arguments.Prompt, addBos: true)], generation, token => Console.Write(decoder.Push(token.Token)));
    Console.WriteLine();
}
return 0;

static string FindCorpus()
{
    const string relative = "artifacts/corpus/kjv.txt";
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
    throw new FileNotFoundException($"no corpus given and no {relative} found here or above: run scripts/install-corpus.sh, or pass --corpus <file or folder>");
}

internal sealed record Arguments(string Preset, Device? Device, string? Corpus, string? Output, double? MaxMinutes, int? Steps, int Seed,
    bool Resume, string Prompt, bool Bf16, bool Describe, bool ResetAtDocuments, string? Tokenizer = null, int? Threads = null)
{
    public static Arguments Parse(string[] args)
    {
        var a = new Arguments("cpu", null, null, null, null, null, 1234, false, "Genesis 1\n1 In the beginning", false, false, false);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            a = args[i] switch
            {
                "--preset" => a with { Preset = Value() },
                "--device" => a with { Device = Lrnn.Torch.Device.Parse(Value()) },
                "--corpus" => a with { Corpus = Value() },
                "--out" => a with { Output = Value() },
                "--max-minutes" => a with { MaxMinutes = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--steps" => a with { Steps = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--seed" => a with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--resume" => a with { Resume = true },
                "--bf16" => a with { Bf16 = true },
                "--describe" => a with { Describe = true },
                "--reset-at-documents" => a with { ResetAtDocuments = true },
                "--tokenizer" => a with { Tokenizer = Value() },
                "--threads" => a with { Threads = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--prompt" => a with { Prompt = Value().Replace("\\n", "\n") },
                _ => throw new ArgumentException($"unknown option {args[i]} (see the comment at the top of examples/Pretrain/Program.cs)"),
            };
        }
        return a;
    }
}
