using System.Text;

namespace Lrnn.Tokenization;

/// <summary>
/// Turns byte ids arriving one at a time (a generation stream) into text: bytes of a multi-byte UTF-8 character
/// are held until the character is complete. Special tokens produce no text. One decoder per stream.
/// </summary>
public sealed class StreamingTextDecoder
{
    private readonly ByteTokenizer _tokenizer;
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private readonly char[] _chars = new char[4];

    internal StreamingTextDecoder(ByteTokenizer tokenizer) => _tokenizer = tokenizer;

    /// <summary>The text completed by <paramref name="id"/> (often one character, empty mid-character or for a special token).</summary>
    public string Push(long id)
    {
        if (_tokenizer.IsSpecial(id)) return "";
        ReadOnlySpan<byte> one = [checked((byte)id)];
        var n = _utf8.GetChars(one, _chars, flush: false);
        return new string(_chars, 0, n);
    }
}
