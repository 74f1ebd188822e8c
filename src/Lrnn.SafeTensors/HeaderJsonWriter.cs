using System.Globalization;
using System.Text;

namespace Lrnn.SafeTensors;

/// <summary>
/// Writes a header as the reference writer does (serde_json, compact): <c>__metadata__</c> first (keys in
/// ordinal order here, for reproducible files), then the tensors in buffer order, strings escaped as serde
/// escapes them (quote, backslash, control characters; other characters verbatim), padded with spaces to
/// a multiple of 8 bytes so that the data buffer starts aligned.
/// </summary>
internal static class HeaderJsonWriter
{
    // Throws on lone surrogates instead of writing U+FFFD, which would rename the tensor silently.
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Write(IReadOnlyDictionary<string, string>? metadata, IReadOnlyList<TensorInfo> tensors)
    {
        var json = new StringBuilder();
        json.Append('{');
        var first = true;
        if (metadata is not null)
        {
            AppendString(json, "__metadata__");
            json.Append(":{");
            var firstKey = true;
            foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (!firstKey) json.Append(',');
                firstKey = false;
                AppendString(json, key);
                json.Append(':');
                AppendString(json, value);
            }
            json.Append('}');
            first = false;
        }
        foreach (var t in tensors)
        {
            if (!first) json.Append(',');
            first = false;
            AppendString(json, t.Name);
            json.Append(":{\"dtype\":");
            AppendString(json, t.Dtype.HeaderName());
            json.Append(",\"shape\":[").AppendJoin(',', t.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            json.Append("],\"data_offsets\":[").Append(t.Begin.ToString(CultureInfo.InvariantCulture))
                .Append(',').Append(t.End.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }
        json.Append('}');

        var length = s_strictUtf8.GetByteCount(json.ToString());
        json.Append(' ', (8 - length % 8) % 8);
        return s_strictUtf8.GetBytes(json.ToString());
    }

    private static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }
        json.Append('"');
    }
}
