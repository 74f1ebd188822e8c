using Lrnn.Tokenization;

namespace Lrnn.Extensions.AI;

/// <summary>
/// What <see cref="LrnnChatClient"/> needs of a tokenizer: text to ids, ids to text, the tokens that end a response
/// (EOS) and the token that starts a document (BOS). Delegates rather than a tokenizer type, so any tokenizer plugs in.
/// </summary>
/// <param name="Encode">The ids of a text, without BOS or EOS.</param>
/// <param name="Decode">
/// The text of a sequence of generated ids. It must be prefix-stable: decoding a longer sequence extends the text of
/// a shorter one, except that a character still incomplete at the end may show as U+FFFD until its last token arrives
/// (the client holds trailing U+FFFD back while streaming).
/// </param>
/// <param name="EndTokens">Tokens that end a response (not part of its text).</param>
/// <param name="BosId">The token that starts a document; an empty prompt becomes this one token.</param>
public sealed record ChatTokenizer(
    Func<string, long[]> Encode,
    Func<IReadOnlyList<long>, string> Decode,
    IReadOnlyCollection<long> EndTokens,
    long BosId)
{
    /// <summary>Any of Lrnn's tokenizers (bytes, byte-level BPE, GPT-2): EOS ends a response, special tokens produce no text.</summary>
    public static ChatTokenizer From(LrnnTokenizer tokenizer) =>
        new(text => tokenizer.Encode(text), ids => tokenizer.Decode(ids), [tokenizer.EosId], tokenizer.BosId);
}
