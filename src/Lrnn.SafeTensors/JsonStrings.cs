using System.Text.Json;

namespace Lrnn.SafeTensors;

/// <summary>
/// Reads JSON strings for the header and index readers. <see cref="Utf8JsonReader.GetString"/> throws
/// InvalidOperationException, not JsonException, on an escaped unpaired UTF-16 surrogate (<c>"\ud800"</c>): such a
/// string is not Unicode and has no UTF-8 form, so serde (the reference's parser) rejects the document, and so do we,
/// with the caller's typed exception.
/// </summary>
internal static class JsonStrings
{
    public const string LoneSurrogate = "a string holds an unpaired UTF-16 surrogate escape, which is not Unicode";

    public static string Get(ref Utf8JsonReader reader, Func<string, Exception, Exception> fail)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw fail($"{LoneSurrogate} (at byte {reader.TokenStartIndex}): {e.Message}", e);
        }
    }
}
