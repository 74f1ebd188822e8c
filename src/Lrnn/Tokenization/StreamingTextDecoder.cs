using System.Text;

namespace Lrnn.Tokenization;

/// <summary>
/// Turns ids arriving one at a time (a generation stream) into text: a token's bytes may end inside a UTF-8 character
/// (one byte of the byte tokenizer, a BPE token cut mid-character), so the bytes of an incomplete character are held
/// until the token that completes it. Special tokens produce no text. One decoder per stream.
/// </summary>
public sealed class StreamingTextDecoder
{
    private readonly LrnnTokenizer _tokenizer;
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private char[] _chars = new char[16];

    internal StreamingTextDecoder(LrnnTokenizer tokenizer) => _tokenizer = tokenizer;

    /// <summary>The text completed by <paramref name="id"/> (empty mid-character or for a special token).</summary>
    public string Push(long id)
    {
        if (_tokenizer.IsSpecial(id)) return "";
        var bytes = _tokenizer.TokenBytes(id);
        // At most one char per byte, plus the up to 3 bytes held from earlier tokens.
        if (_chars.Length < bytes.Length + 4) _chars = new char[bytes.Length + 4];
        var n = _utf8.GetChars(bytes, _chars, flush: false);
        return new string(_chars, 0, n);
    }
}
