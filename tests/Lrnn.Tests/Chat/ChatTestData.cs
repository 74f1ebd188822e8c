using Lrnn.Extensions.AI;
using Lrnn.Models;
using Lrnn.Torch;
using static Lrnn.Tests.Training.TrainingTestData;

namespace Lrnn.Tests.Chat;

/// <summary>
/// A tiny random byte model and a tokenizer whose decoder shows every byte id as one letter ('a' + id mod 26), so that a
/// random model's reply is readable text with one character per token (stop strings and lengths are then exact).
/// </summary>
internal static class ChatTestData
{
    public static LrnnLMHeadModel TinyModel() => new(ModelConfig(16), ScalarType.Float64, "cpu");

    public static string Letters(IEnumerable<long> ids) =>
        new(ids.Where(id => id < 256).Select(id => (char)('a' + id % 26)).ToArray());

    public static readonly ChatTokenizer LetterTokenizer = new(text => Tokenizer.Encode(text), Letters, [Tokenizer.EosId], Tokenizer.BosId);
}
