// Loads a checkpoint (config.json + model.safetensors + tokenizer.json, as examples/Pretrain writes it) and continues
// a prompt, streaming the text as it is generated.
//
//   dotnet run --project examples/Generate -c Release -- "And God said"
//   dotnet run --project examples/Generate -c Release -- ""          # a chapter from scratch
//   Generate "In the beginning" --checkpoint checkpoints/kjv --max-new 300 --temperature 0.8 --top-k 40 --top-p 0.95
//
// Options: --checkpoint <folder> (default: checkpoints/kjv, the shipped one)   --max-new N   --temperature T (0: greedy)
//          --top-k K   --top-p P   --repetition-penalty R   --seed S   --device cpu|cuda
using System.Globalization;
using Lrnn.Generation;
using Lrnn.Models;
using Lrnn.Tokenization;
using Lrnn.Torch;

Arguments arguments;
try
{
    arguments = Arguments.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("usage: Generate <prompt> [--checkpoint DIR] [--max-new N] [--temperature T] [--top-k K] [--top-p P] " +
                            "[--repetition-penalty R] [--seed S] [--device cpu|cuda]");
    return 2;
}

using var model = LrnnLMHeadModel.FromPretrained(arguments.Checkpoint, arguments.Device);
var tokenizer = LrnnTokenizer.FromPretrained(arguments.Checkpoint);
var decoder = tokenizer.CreateStreamingDecoder();
var options = arguments.Generation with { StopTokens = [tokenizer.EosId] };

Console.Write(arguments.Prompt);
// Training sequences are cut from packed documents at any position, so a prompt may be any text; an empty prompt
// starts a new document (BOS), and the model writes a chapter from its heading.
var prompt = arguments.Prompt.Length == 0 ? [tokenizer.BosId] : tokenizer.Encode(arguments.Prompt);
await foreach (var token in model.GenerateAsync([prompt], options))
{
    Console.Write(decoder.Push(token.Token));
}
Console.WriteLine();
return 0;

internal sealed record Arguments(string Prompt, string Checkpoint, GenerationOptions Generation, Device Device)
{
    public static Arguments Parse(string[] args)
    {
        string? prompt = null;
        var checkpoint = Path.Combine("checkpoints", "kjv");
        var generation = new GenerationOptions { MaxNewTokens = 300, Temperature = 0.8, TopK = 40, RepetitionPenalty = 1.05, Seed = 1 };
        var device = Device.CPU;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Number() => double.Parse(Value(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--checkpoint": checkpoint = Value(); break;
                case "--max-new": generation = generation with { MaxNewTokens = (int)Number() }; break;
                case "--temperature": generation = generation with { Temperature = Number() }; break;
                case "--top-k": generation = generation with { TopK = (int)Number() }; break;
                case "--top-p": generation = generation with { TopP = Number() }; break;
                case "--repetition-penalty": generation = generation with { RepetitionPenalty = Number() }; break;
                case "--seed": generation = generation with { Seed = (int)Number() }; break;
                case "--device": device = Device.Parse(Value()); break;
                case var option when option.StartsWith("--", StringComparison.Ordinal): throw new ArgumentException($"unknown option {option}");
                default: prompt = prompt is null ? args[i] : throw new ArgumentException("give one prompt (quote it)"); break;
            }
        }
        return new Arguments((prompt ?? "In the beginning").Replace("\\n", "\n"), checkpoint, generation, device);
    }
}
