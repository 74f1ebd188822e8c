// Uses Lrnn as a package consumer does: a model forward, a save/load round trip, a generation through IChatClient.
// Exits 1 (with the reason) when anything differs; prints "package consumer: OK" otherwise.
using Lrnn.Config;
using Lrnn.Extensions.AI;
using Lrnn.Generation;
using Lrnn.Models;
using Lrnn.Tokenization;
using Lrnn.Torch;
using Microsoft.Extensions.AI;

Console.WriteLine(torch.Info);
var shim = torch.Info.NativeLibraryPath;
if (Path.GetDirectoryName(shim) != Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory))
    return Fail($"the shim was loaded from {shim}, not from next to the application ({AppContext.BaseDirectory})");

var tokenizer = new ByteTokenizer();
var config = new LrnnConfig
{
    DModel = 32, DState = 8, NLayer = 2, VocabSize = tokenizer.VocabSize, DIntermediate = 64, MixerTypes = ["LRU", "attn"],
    MixerKwargs = Newtonsoft.Json.Linq.JObject.Parse("""{ "attn": { "num_heads": 2, "causal": true } }"""),
}.Validate();

torch.manual_seed(7);
using var model = new LrnnLMHeadModel(config);
var ids = tokenizer.Encode("In the beginning", addBos: true);
using var input = torch.tensor(ids, [1, ids.Length]);
using var logits = model.Forward(input);                                     // (1, L, V_pad)
if (!logits.shape.SequenceEqual([1L, ids.Length, logits.shape[2]]) || logits.shape[2] < tokenizer.VocabSize)
    return Fail($"forward: logits of shape [{string.Join(", ", logits.shape)}]");

var directory = Path.Combine(Path.GetTempPath(), $"lrnn-consumer-{Environment.ProcessId}");
try
{
    model.SavePretrained(directory);
    tokenizer.Save(directory);
    using var loaded = LrnnLMHeadModel.FromPretrained(directory);
    using var again = loaded.Forward(input);
    var difference = (again - logits).abs().max().item<double>();
    if (difference != 0) return Fail($"save/load: the reloaded model's logits differ by {difference}");

    var greedy = new GenerationOptions { Temperature = 0, MaxNewTokens = 12 };
    var expected = loaded.Generate([ids], greedy)[0];
    using var client = LrnnChatClient.FromPretrained(directory, options: new LrnnChatClientOptions { Defaults = greedy, PrependBos = true });
    var response = await client.GetResponseAsync("In the beginning");
    if (response.Text != tokenizer.Decode(expected.TakeWhile(t => t != tokenizer.EosId)))
        return Fail($"generation: the chat client said '{response.Text}', the generation API '{tokenizer.Decode(expected)}'");
    Console.WriteLine($"forward {string.Join("×", logits.shape)}, save/load exact, generated {response.Usage?.OutputTokenCount} tokens");
}
finally
{
    if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
}
Console.WriteLine("package consumer: OK");
return 0;

static int Fail(string reason)
{
    Console.Error.WriteLine($"package consumer: FAILED: {reason}");
    return 1;
}
