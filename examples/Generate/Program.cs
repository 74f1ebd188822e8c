// Loads a checkpoint (config.json + model.safetensors + tokenizer.json, as examples/Pretrain writes it) and continues
// a prompt through Microsoft.Extensions.AI's IChatClient (LrnnChatClient), streaming the text as it is generated.
//
//   dotnet run --project examples/Generate -c Release -- "And God said"
//   dotnet run --project examples/Generate -c Release -- ""          # a chapter from scratch
//   Generate "In the beginning" --checkpoint checkpoints/kjv --max-new 300 --temperature 0.8 --top-k 40 --top-p 0.95
//   Generate --help
using System.CommandLine;
using Lrnn.Examples;
using Lrnn.Extensions.AI;
using Lrnn.Generation;
using Microsoft.Extensions.AI;

var prompt = new Argument<string>("prompt")
{
    Description = "The text to continue (\\n is a newline); an empty prompt starts a new document",
    DefaultValueFactory = _ => "In the beginning",
};
var checkpoint = new Option<DirectoryInfo>("--checkpoint")
{
    Description = "Checkpoint folder (config.json, model.safetensors, tokenizer.json)",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("checkpoints", "kjv")),
}.AcceptExistingOnly();
var maxNew = new Option<int>("--max-new") { Description = "Tokens to generate at most", DefaultValueFactory = _ => 300 }
    .Must(v => v > 0, "must be positive");
var temperature = new Option<double>("--temperature") { Description = "Sampling temperature; 0 is greedy", DefaultValueFactory = _ => 0.8 }
    .Must(v => v >= 0, "must be ≥ 0");
var topK = new Option<int>("--top-k") { Description = "Sample among the k most likely tokens; 0 disables", DefaultValueFactory = _ => 40 }
    .Must(v => v >= 0, "must be ≥ 0");
var topP = new Option<double>("--top-p") { Description = "Nucleus sampling threshold in (0, 1]; 1 disables", DefaultValueFactory = _ => 1.0 }
    .Must(v => v is > 0 and <= 1, "must be in (0, 1]");
var repetitionPenalty = new Option<double>("--repetition-penalty") { Description = "CTRL's repetition penalty; 1 disables", DefaultValueFactory = _ => 1.05 }
    .Must(v => v > 0, "must be positive");
var seed = new Option<int>("--seed") { Description = "Sampling seed", DefaultValueFactory = _ => 1 };
var stop = new Option<string[]>("--stop") { Description = "Stop string (repeatable); the reply ends before it", AllowMultipleArgumentsPerToken = false };
var device = CommandLineOptions.Device("Where the model runs (default cpu)");

var command = new RootCommand("Continue a prompt with an Lrnn checkpoint, streaming") { prompt, checkpoint, maxNew, temperature, topK, topP, repetitionPenalty, seed, stop, device };
command.SetAction(async (parse, cancellationToken) =>
{
    var defaults = new GenerationOptions
    {
        MaxNewTokens = parse.GetValue(maxNew), Temperature = parse.GetValue(temperature), TopK = parse.GetValue(topK), TopP = parse.GetValue(topP),
        RepetitionPenalty = parse.GetValue(repetitionPenalty), Seed = parse.GetValue(seed),
    };
    // Training sequences are cut from packed documents at any position, so a prompt may be any text; an empty prompt
    // becomes BOS (a new document), and the model writes a chapter from its heading.
    using var client = LrnnChatClient.FromPretrained(parse.GetValue(checkpoint)!.FullName, parse.GetValue(device),
        new LrnnChatClientOptions { ModelId = parse.GetValue(checkpoint)!.Name, Defaults = defaults, StopSequences = parse.GetValue(stop) ?? [] });
    var text = parse.GetValue(prompt)!.Replace("\\n", "\n");
    Console.Write(text);
    await foreach (var update in client.GetStreamingResponseAsync(text, cancellationToken: cancellationToken)) Console.Write(update.Text);
    Console.WriteLine();
    return 0;
});
return await command.Parse(args).InvokeAsync();
