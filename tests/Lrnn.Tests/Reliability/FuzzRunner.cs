using System.Text;

namespace Lrnn.Tests.Reliability;

/// <summary>
/// Seeded, bounded mutation fuzzing for file readers: each case mutates one of the valid seed inputs (byte flips,
/// insertions, deletions, truncation, and splices of tokens that have broken readers before: huge and zero numbers,
/// lone surrogate escapes, duplicated keys), hands it to the reader, and records any exception whose type is not one
/// of the reader's documented ones. A failure names the case number and the input (base64), so it reproduces.
/// Reusable for any reader: the safetensors reader, config.json and the PyTorch checkpoint reader each give their
/// seeds, a <c>read</c> action and their typed exceptions.
/// </summary>
public static class FuzzRunner
{
    /// <summary>Splices that broke readers before (issue 21), inserted at random positions.</summary>
    public static readonly string[] Interesting =
    [
        "\\ud800", "\\udfff", "\\ud83d\\ude00", "18446744073709551615", "9223372036854775808", "4611686018427387904", "0",
        "-1", "1e400", "64.5", "\"64\"", "null", "[]", "{}", "[0,0]", "\"dtype\":\"F32\"", "\"shape\":[0,9223372036854775807]",
        "\"__metadata__\":{}", ",", ":", "\"", "\\", "\u00e9", "\uffff",
    ];

    /// <summary>The unexpected exceptions (case, type, message, input), empty when every case passed.</summary>
    public static List<string> Run(int seed, int cases, IReadOnlyList<byte[]> seeds, Action<byte[]> read, params Type[] expected)
    {
        var random = new Random(seed);
        var failures = new List<string>();
        for (var i = 0; i < cases; i++)
        {
            var input = Mutate(random, seeds[random.Next(seeds.Count)]);
            try
            {
                read(input);
            }
            catch (Exception e)
            {
                if (!expected.Any(t => t.IsInstanceOfType(e)))
                    failures.Add($"case {i} (seed {seed}): {e.GetType().FullName}: {e.Message}\n  input (base64): {Convert.ToBase64String(input)}");
            }
        }
        return failures;
    }

    /// <summary>One to four mutations of <paramref name="original"/>.</summary>
    public static byte[] Mutate(Random random, byte[] original)
    {
        var bytes = new List<byte>(original);
        var count = random.Next(1, 5);
        for (var m = 0; m < count; m++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 9)));
                    break;
                case 3:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Interesting[random.Next(Interesting.Length)]));
                    break;
                case 4 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at); // truncation
                    break;
                default:
                    // Copy a run of the input elsewhere: duplicates keys and fields.
                    var start = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
                    var run = bytes.Skip(start).Take(random.Next(1, 48)).ToArray();
                    bytes.InsertRange(at, run);
                    break;
            }
        }
        return bytes.ToArray();
    }
}
