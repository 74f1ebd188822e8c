// Pretrains a small LRU + attention + MLP hybrid on the King James Bible (scripts/install-corpus.sh installs it from
// Debian's bible-kjv-text package), saves it under checkpoints/ with its loss curve (loss.png), reloads it and prints
// generated text. On a terminal a Spectre.Console progress bar shows loss, tokens/s and ETA; redirected output gets
// plain log lines.
//
//   dotnet run --project examples/Pretrain -c Release                         # the CPU preset, a few minutes
//   Pretrain --preset gpu --device cuda --corpus /data/kjv.txt --out checkpoints/kjv --max-minutes 10
//   Pretrain --help
// Without --corpus the corpus is looked up as artifacts/corpus/kjv.txt in this folder and its parents, so the
// published executable (no dotnet, no apt on the GPU machine) runs with the file passed by path.
using System.CommandLine;
using Lrnn.Data;
using Lrnn.Examples;
using Lrnn.Generation;
using Lrnn.Models;
using Lrnn.Plotting;
using Lrnn.Tokenization;
using Lrnn.Torch;
using Lrnn.Training;
using Microsoft.Extensions.Logging;

var presetOption = new Option<string>("--preset") { Description = "Model size and training run", DefaultValueFactory = _ => "cpu" }
    .AcceptOnlyFromAmong(Preset.Names);
var deviceOption = CommandLineOptions.Device("Where to train (default: cuda when usable and the preset is not cpu, else cpu)");
var corpusOption = new Option<string?>("--corpus") { Description = "A text file or a folder of .txt files (default: artifacts/corpus/kjv.txt here or above)" };
var outOption = new Option<string?>("--out") { Description = "Checkpoint folder (default: checkpoints/kjv-<preset>)" };
var maxMinutesOption = new Option<double?>("--max-minutes") { Description = "Stop (after a checkpoint) after this many minutes" }
    .Must(v => v is null or > 0, "must be positive");
var stepsOption = new Option<int?>("--steps") { Description = "Optimizer steps (default: the preset's)" }.Must(v => v is null or > 0, "must be positive");
var seedOption = new Option<int>("--seed") { Description = "Seed of the data split, the initialisation and the sampling", DefaultValueFactory = _ => 1234 };
var resumeOption = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --out, if there is one" };
var promptOption = new Option<string>("--prompt") { Description = "Text the reloaded model continues (\\n is a newline)", DefaultValueFactory = _ => "Genesis 1\\n1 In the beginning" };
var bf16Option = new Option<bool>("--bf16") { Description = "bfloat16 autocast of the forward and the loss" };
var describeOption = new Option<bool>("--describe") { Description = "Print the preset's model and exit" };
var resetOption = new Option<bool>("--reset-at-documents") { Description = "Every mixer starts each packed document from a fresh state (docs/pretraining.md)" };
var logScaleOption = new Option<bool>("--log-scale") { Description = "Draw loss.png with a logarithmic loss axis" };
var tokenizerOption = new Option<string?>("--tokenizer")
{
    Description = "bytes | bpe:<vocabulary size> | gpt2 (default: bytes for the cpu preset, bpe:4096 for gpu, bpe:8192 for the larger " +
                  "ones; a BPE is trained on the training split and saved as the checkpoint's tokenizer.json)",
};
tokenizerOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<string?>() is not { } spec) return;
    try { TokenizerChoice.Parse(spec); }
    catch (ArgumentException e) { result.AddError(e.Message); }
});
var threadsOption = new Option<int?>("--threads") { Description = "libtorch's intra-op threads (default: LRNN_NUM_THREADS, else the physical cores)" }
    .Must(v => v is null or > 0, "must be positive");

var command = new RootCommand("Pretrain an Lrnn hybrid language model on a text corpus")
{
    presetOption, deviceOption, corpusOption, outOption, maxMinutesOption, stepsOption, seedOption, resumeOption, promptOption, bf16Option,
    describeOption, resetOption, logScaleOption, tokenizerOption, threadsOption,
};
command.SetAction((parse, cancellationToken) => Task.FromResult(Run(parse, cancellationToken)));
return await command.Parse(args).InvokeAsync();

int Run(ParseResult parse, CancellationToken cancellationToken)
{
    var interactive = SpectreTrainingProgress.Interactive;
    using var loggerFactory = LoggerFactory.Create(b =>
    {
        if (interactive) b.AddProvider(new SpectreTrainingProgress.LoggerProvider());
        else
            b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
    });
    var logger = loggerFactory.CreateLogger("Pretrain");

    if (parse.GetValue(threadsOption) is { } threads) torch.set_num_threads(threads);
    logger.LogInformation("{Info}", torch.Info);
    var presetName = parse.GetValue(presetOption)!;
    var seed = parse.GetValue(seedOption);
    var tokenizerChoice = parse.GetValue(tokenizerOption) is { } spec ? TokenizerChoice.Parse(spec) : TokenizerChoice.For(presetName);
    var preset = Preset.Get(presetName, tokenizerChoice.VocabSize, splitBytes: tokenizerChoice.Kind == "bytes");
    var device = parse.GetValue(deviceOption) ?? (presetName == "cpu" || !torch.cuda.is_available() ? Device.CPU : Device.CUDA());
    if (device.Type == DeviceType.CPU && !parse.GetValue(describeOption))
    {
        // The CPU path's speed depends on the BLAS and the thread count; a 0.1 s matrix-product measurement shows both.
        var cpu = CpuPerformance.Check();
        logger.LogInformation("CPU: {Report}", cpu);
        if (cpu.Warning is not null) logger.LogWarning("{Warning}", cpu.Warning);
    }
    var options = preset.Training with
    {
        Seed = seed,
        MaxSteps = parse.GetValue(stepsOption) ?? preset.Training.MaxSteps,
        MaxDuration = parse.GetValue(maxMinutesOption) is { } minutes ? TimeSpan.FromMinutes(minutes) : preset.Training.MaxDuration,
        // bf16 autocast is opt-in: the shipped checkpoint and the measured runs are float32.
        AutocastDtype = parse.GetValue(bf16Option) ? ScalarType.BFloat16 : null,
        ResetStateAtDocumentBoundaries = parse.GetValue(resetOption),
    };
    var output = parse.GetValue(outOption) ?? Path.Combine("checkpoints", "kjv-" + preset.Name);
    if (parse.GetValue(describeOption))
    {
        using var described = new LrnnLMHeadModel(preset.Config);
        Console.WriteLine($"preset {preset.Name}: {described.parameter_count():N0} parameters, {preset.SequenceLength}-token sequences, " +
                          $"{preset.Training.MaxSteps} steps of {preset.Training.BatchSize} × {preset.Training.GradientAccumulationSteps} sequences");
        Console.WriteLine(preset.Config.ToJson());
        return 0;
    }

    var corpusPath = parse.GetValue(corpusOption) ?? FindCorpus();
    var corpus = TextCorpus.Load(corpusPath);
    var (trainText, validationText) = corpus.Split(validationFraction: 0.05, seed: seed);
    var tokenizer = tokenizerChoice.Create(trainText.Documents, parse.GetValue(resumeOption) ? output : null, logger);
    var train = new PackedSequences(trainText.Documents, tokenizer, preset.SequenceLength);
    var validation = new PackedSequences(validationText.Documents, tokenizer, preset.SequenceLength);
    logger.LogInformation("Corpus {Path}: {Documents} documents, {Characters:N0} characters; {Train:N0} training and {Validation:N0} validation tokens",
        corpusPath, corpus.Documents.Count, corpus.CharacterCount, train.TokenCount, validation.TokenCount);
    logger.LogInformation("Preset {Preset} ({Description}) on {Device}, tokenizer {Tokenizer}", preset.Name, preset.Description, device, tokenizerChoice);

    torch.manual_seed((ulong)seed);
    using (var model = new LrnnLMHeadModel(preset.Config, device: device))
    using (var trainer = new Trainer(model, train, validation, options, logger, tokenizer))
    {
        LossCurve.SaveBeside(trainer, $"{preset.Config.NLayer}-layer {string.Join("+", preset.Config.MixerTypes.Distinct())}", parse.GetValue(logScaleOption));
        if (parse.GetValue(resumeOption) && File.Exists(Path.Combine(output, TrainerState.FileName))) trainer.Resume(output);
        // Ctrl+C cancels: training stops after the current step, validates and writes a resumable checkpoint.
        var result = interactive
            ? SpectreTrainingProgress.Run(options.MaxSteps, progress => trainer.Train(output, cancellationToken, progress))
            : trainer.Train(output, cancellationToken);
        logger.LogInformation("Done: {Steps} steps, {Tokens:N0} tokens in {Elapsed:hh\\:mm\\:ss}; validation loss {Loss:F4} (perplexity {Perplexity:F2}, {BitsPerByte:F4} bits/byte){Early}",
            result.Steps, result.TokensSeen, result.Elapsed, result.ValidationLoss, result.ValidationPerplexity, result.ValidationBitsPerByte,
            result.StoppedEarly ? ", stopped early (time limit or Ctrl+C)" : "");
    }

    // Reload from disk, as a user of the checkpoint would, and write.
    using (var reloaded = LrnnLMHeadModel.FromPretrained(output, device))
    {
        var savedTokenizer = LrnnTokenizer.FromPretrained(output);
        var decoder = savedTokenizer.CreateStreamingDecoder();
        var generation = new GenerationOptions
        {
            MaxNewTokens = 400, Temperature = 0.8, TopK = 40, RepetitionPenalty = 1.05, StopTokens = [savedTokenizer.EosId], Seed = seed,
        };
        var prompt = parse.GetValue(promptOption)!.Replace("\\n", "\n");
        Console.WriteLine();
        Console.WriteLine($"--- {output}, sampled (temperature {generation.Temperature}, top-k {generation.TopK}) ---");
        Console.Write(prompt);
        reloaded.Generate([savedTokenizer.Encode(prompt, addBos: true)], generation, token => Console.Write(decoder.Push(token.Token)), cancellationToken);
        Console.WriteLine();
    }
    return 0;
}

static string FindCorpus()
{
    const string relative = "artifacts/corpus/kjv.txt";
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
    throw new FileNotFoundException($"no corpus given and no {relative} found here or above: run scripts/install-corpus.sh, or pass --corpus <file or folder>");
}
