using System.Text;

namespace Lrnn.Tokenization;

/// <summary>
/// GPT-2's byte-to-character table (<c>bytes_to_unicode</c> in OpenAI's gpt-2 <c>encoder.py</c>, the <c>ByteLevel</c>
/// pre-tokenizer and decoder of Hugging Face <c>tokenizers</c>): every byte gets a printable character, so a byte-level
/// vocabulary can be written as JSON strings. Printable Latin-1 bytes map to themselves; the others (space, control
/// characters, 0x7F–0xA0, 0xAD) to U+0100 onwards in byte order (space → 'Ġ', '\n' → 'Ċ').
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = Build();
    private static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    private static char[] Build()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = (char)(printable ? b : next++);
        }
        return table;
    }

    /// <summary>The character that stands for byte <paramref name="b"/>.</summary>
    public static char ToChar(byte b) => ByteToChar[b];

    /// <summary>The byte-level string of <paramref name="bytes"/> (one character per byte).</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++) chars[i] = ByteToChar[source[i]];
        });
    }

    /// <summary>The byte-level string of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static string EncodeText(string text) => Encode(Encoding.UTF8.GetBytes(text));

    /// <summary>The bytes a byte-level string stands for, or null when a character is outside the alphabet.</summary>
    public static byte[]? TryDecode(string symbols)
    {
        var bytes = new byte[symbols.Length];
        for (var i = 0; i < symbols.Length; i++)
        {
            if (!CharToByte.TryGetValue(symbols[i], out bytes[i])) return null;
        }
        return bytes;
    }
}
