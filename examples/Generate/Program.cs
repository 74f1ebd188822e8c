// Loads a checkpoint folder (config.json + model.safetensors, as LrnnLMHeadModel.SavePretrained writes it) and
// continues a prompt of token ids, greedily or by sampling with a temperature. Tokenisation is not part of this
// sample: pass ids. The full generation product (batching, stop tokens, top-k/p) comes with the pretraining issue.
//
//   dotnet run --project examples/Generate -- <checkpoint-dir> <id,id,...> [--max-new 32] [--temperature 0.8] [--seed 1] [--device cuda]
using Lrnn.Models;
using Lrnn.Torch;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Generate <checkpoint-dir> <comma-separated prompt ids> [--max-new N] [--temperature T] [--seed S] [--device cpu|cuda]");
    return 2;
}
var options = Options.Parse(args.Skip(2).ToArray());
var prompt = args[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();

using var model = LrnnLMHeadModel.FromPretrained(args[0], options.Device);
model.eval();
using var noGrad = torch.no_grad();
var vocab = model.Config.VocabSize;
var random = new Random(options.Seed);

using var cache = model.AllocateInferenceCache(batch: 1, maxSeqLen: prompt.Length + options.MaxNew);
var generated = new List<long>();
using (var ids = torch.tensor(prompt, [1, prompt.Length], options.Device))
{
    // The prompt goes through the parallel path once; only new tokens are stepped.
    using var logits = model.Prefill(ids, cache);                                   // (1, 1, V_pad)
    generated.Add(Sample(logits));
}
while (generated.Count < options.MaxNew)
{
    using var token = torch.tensor(new[] { generated[^1] }, [1, 1], options.Device);
    using var logits = model.Step(token, cache);
    generated.Add(Sample(logits));
}
Console.WriteLine(string.Join(",", generated));
return 0;

// Picks the next id among the real vocabulary (the padded rows of the logits are never tokens).
long Sample(Tensor logits)
{
    using var real = logits.view(-1).narrow(0, 0, vocab);
    using var cpu = real.to(ScalarType.Float64, Device.CPU);
    var values = cpu.ToArray<double>();
    if (options.Temperature <= 0) return Array.IndexOf(values, values.Max());
    var max = values.Max();
    var weights = values.Select(v => Math.Exp((v - max) / options.Temperature)).ToArray();
    var u = random.NextDouble() * weights.Sum();
    for (var i = 0; i < weights.Length; i++)
        if ((u -= weights[i]) <= 0) return i;
    return weights.Length - 1;
}

internal sealed record Options(int MaxNew, double Temperature, int Seed, Device Device)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(32, 0, 1, Device.CPU);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            o = args[i] switch
            {
                "--max-new" => o with { MaxNew = int.Parse(args[i + 1]) },
                "--temperature" => o with { Temperature = double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) },
                "--seed" => o with { Seed = int.Parse(args[i + 1]) },
                "--device" => o with { Device = Device.Parse(args[i + 1]) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}
