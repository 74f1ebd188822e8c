// Converts a checkpoint folder of any layout Lrnn reads (Lrnn, lrnnx's config.json + pytorch_model.bin, mamba_ssm's,
// transformers' MambaForCausalLM) into Lrnn's safetensors layout, or into transformers' layout.
//
//   dotnet run --project examples/Convert -c Release -- <source> <target> [--layout lrnn|hf-mamba]
//        [--mixer-kwargs JSON]          mixer kwargs of an lrnnx folder (its config.json lacks them)
//        [--record-logits 3,17,5,...]   also write <target>/lrnn-expected.json: Lrnn's logits for these ids and a
//                                       greedy continuation (--greedy N tokens, default 16), the input of
//                                       `scripts/verify-torch-checkpoints.py compare <target> OUT`
//        [--random-init SEED]           ignore the source's weights: build its config with fresh seeded weights
//                                       (for making test checkpoints)
// The model is rebuilt and loaded strictly, so a converted folder is known to load before it is written.
using System.Globalization;
using Lrnn.Checkpoints;
using Lrnn.Models;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Convert <source> <target> [--layout lrnn|hf-mamba] [--mixer-kwargs JSON] " +
                            "[--record-logits IDS] [--greedy N] [--random-init SEED]");
    return 2;
}
var (source, target) = (args[0], args[1]);
var layout = CheckpointLayout.Lrnn;
JObject? mixerKwargs = null;
long[]? recordIds = null;
var greedyTokens = 16;
ulong? randomSeed = null;
for (var i = 2; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i - 1]} needs a value");
    switch (args[i - 1])
    {
        case "--layout":
            layout = value switch
            {
                "lrnn" => CheckpointLayout.Lrnn,
                "hf-mamba" => CheckpointLayout.HuggingFaceMamba,
                _ => throw new ArgumentException($"--layout {value}: use lrnn or hf-mamba"),
            };
            break;
        case "--mixer-kwargs": mixerKwargs = JObject.Parse(value); break;
        case "--record-logits": recordIds = value.Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
        case "--greedy": greedyTokens = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--random-init": randomSeed = ulong.Parse(value, CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"unknown option {args[i - 1]}");
    }
}

LrnnLMHeadModel model;
if (randomSeed is { } seed)
{
    torch.manual_seed(seed);
    model = new LrnnLMHeadModel(PretrainedFolder.LoadConfig(source, mixerKwargs).Config);
}
else
{
    model = LrnnLMHeadModel.FromPretrained(source, mixerKwargs: mixerKwargs);
}
using (model)
{
    model.SavePretrained(target, layout: layout);
    Console.WriteLine($"{source} ({PretrainedFolder.DetectLayout(source)}) → {target} ({layout})");
    if (recordIds is not null) RecordLogits(model, recordIds, greedyTokens, Path.Combine(target, "lrnn-expected.json"));
}
return 0;

static void RecordLogits(LrnnLMHeadModel model, long[] ids, int steps, string path)
{
    using var noGrad = torch.no_grad();
    using var input = torch.tensor(ids, [1, ids.Length]);
    using var logits = model.Forward(input);
    var tokens = ids.ToList();
    for (var s = 0; s < steps; s++)
    {
        using var all = torch.tensor(tokens.ToArray(), [1, tokens.Count]);
        using var last = model.Forward(all, numLastTokens: 1);
        using var real = last.narrow(-1, 0, model.Config.VocabSize);
        using var next = real.argmax(-1);
        tokens.Add(next.item<long>());
    }
    var json = new JObject
    {
        ["input_ids"] = new JArray { new JArray(ids) },     // (1, L)
        ["logits_shape"] = new JArray(logits.shape),
        ["logits"] = new JArray(logits.ToArray<float>()),
        ["vocab_size"] = model.Config.VocabSize,
        ["greedy_new_tokens"] = new JArray(tokens.Skip(ids.Length)),
    };
    File.WriteAllText(path, json.ToString());
    Console.WriteLine($"recorded Lrnn's logits for {ids.Length} ids and {steps} greedy tokens in {path}");
}
