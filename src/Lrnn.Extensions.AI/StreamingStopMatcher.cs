namespace Lrnn.Extensions.AI;

/// <summary>
/// Finds stop strings in text that grows token by token, and says how much of it can be streamed out: text that could
/// still become the start of a stop string (and a trailing U+FFFD, which may be an incomplete character) is held back
/// until the next token decides. A stop string is never streamed, not even in part.
/// </summary>
internal sealed class StreamingStopMatcher(IReadOnlyList<string> stops)
{
    private readonly string[] _stops = stops.Where(s => s.Length > 0).Distinct().ToArray();

    /// <summary>Characters of the text already released.</summary>
    public int Released { get; private set; }

    /// <summary>
    /// Given the whole text so far, returns the next piece to stream and whether a stop string was found (then the
    /// piece ends just before it and nothing more is to be streamed).
    /// </summary>
    public (string Piece, bool Stopped) Push(string text, bool final = false)
    {
        var stopAt = -1;
        foreach (var stop in _stops)
        {
            // A match cannot start before Released: any text that could begin a stop string was held back.
            var at = text.IndexOf(stop, Released, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt)) stopAt = at;
        }
        if (stopAt >= 0) return (Release(text, stopAt), true);
        if (final) return (Release(text, text.Length), false);
        var safe = text.Length - HeldBack(text);
        return (Release(text, Math.Max(Released, safe)), false);
    }

    private string Release(string text, int end)
    {
        var piece = text[Released..end];
        Released = end;
        return piece;
    }

    /// <summary>
    /// The length of the suffix to hold back: trailing U+FFFD (perhaps a character still incomplete) and, before it, the
    /// longest proper prefix of a stop string (the next characters may complete it).
    /// </summary>
    private int HeldBack(string text)
    {
        var pending = 0;
        while (pending < text.Length - Released && text[text.Length - 1 - pending] == '\uFFFD') pending++;
        var end = text.Length - pending;
        var prefix = 0;
        foreach (var stop in _stops)
            for (var length = Math.Min(stop.Length - 1, end - Released); length > prefix; length--)
                if (string.CompareOrdinal(text, end - length, stop, 0, length) == 0)
                {
                    prefix = length;
                    break;
                }
        return pending + prefix;
    }
}
