using System.Text.Json;

namespace Lrnn.SafeTensors;

/// <summary>A header entry as written, before layout validation: sizes stay unsigned 64-bit so that overflow is
/// reported as such (ValidationOverflow) rather than as a parse error.</summary>
internal sealed record HeaderEntry(string Name, SafeTensorsDtype Dtype, ulong[] Shape, ulong Begin, ulong End);

/// <summary>
/// Parses the JSON header with <see cref="Utf8JsonReader"/>, which (unlike a DOM) sees every key, so duplicate
/// tensor names, duplicate fields and duplicate metadata keys are rejected instead of silently resolved: the
/// format forbids them and two parsers that resolve them differently would read two different models.
/// Like the reference (serde), it accepts surrounding whitespace, a null <c>__metadata__</c> and unknown fields
/// inside an entry, and rejects comments, trailing commas and anything after the root object.
/// </summary>
internal static class HeaderJsonReader
{
    private const string MetadataKey = "__metadata__";

    public static (Dictionary<string, string> Metadata, List<HeaderEntry> Entries) Read(ReadOnlySpan<byte> json, string path)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<HeaderEntry>();
        var reader = new Utf8JsonReader(json);
        try
        {
            reader.Read(); // throws on a header of whitespace only
            Expect(ref reader, JsonTokenType.StartObject, "the header", path);
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (Next(ref reader, path) == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!names.Add(name)) throw Fail(path, reader, $"duplicate key '{name}'");
                Next(ref reader, path);
                if (name == MetadataKey) ReadMetadata(ref reader, metadata, path);
                else entries.Add(ReadEntry(ref reader, name, path));
            }
            // After the root object only whitespace may follow; the reader throws on anything else.
            if (reader.Read()) throw Fail(path, reader, "content after the header object");
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(SafeTensorsRule.InvalidHeaderDeserialization, path,
                $"the header is not valid JSON: {e.Message}", e);
        }
        return (metadata, entries);
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string path)
    {
        if (reader.TokenType == JsonTokenType.Null) return;
        Expect(ref reader, JsonTokenType.StartObject, $"'{MetadataKey}'", path);
        while (Next(ref reader, path) == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            if (Next(ref reader, path) != JsonTokenType.String)
                throw Fail(path, reader, $"metadata value of '{key}' is {Describe(reader.TokenType)}; metadata values must be strings");
            if (!metadata.TryAdd(key, reader.GetString()!)) throw Fail(path, reader, $"duplicate metadata key '{key}'");
        }
    }

    private static HeaderEntry ReadEntry(ref Utf8JsonReader reader, string name, string path)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"tensor '{name}'", path);
        SafeTensorsDtype? dtype = null;
        ulong[]? shape = null;
        ulong[]? offsets = null;
        while (Next(ref reader, path) == JsonTokenType.PropertyName)
        {
            var field = reader.GetString()!;
            Next(ref reader, path);
            switch (field)
            {
                case "dtype":
                    if (dtype is not null) throw Fail(path, reader, $"tensor '{name}' has a duplicate field 'dtype'");
                    dtype = ReadDtype(ref reader, name, path);
                    break;
                case "shape":
                    if (shape is not null) throw Fail(path, reader, $"tensor '{name}' has a duplicate field 'shape'");
                    shape = ReadUnsignedArray(ref reader, $"the shape of tensor '{name}'", path);
                    break;
                case "data_offsets":
                    if (offsets is not null) throw Fail(path, reader, $"tensor '{name}' has a duplicate field 'data_offsets'");
                    offsets = ReadUnsignedArray(ref reader, $"the data_offsets of tensor '{name}'", path);
                    if (offsets.Length != 2)
                        throw Fail(path, reader, $"the data_offsets of tensor '{name}' have {offsets.Length} numbers; expected [BEGIN, END]");
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (dtype is null) throw Fail(path, reader, $"tensor '{name}' has no 'dtype'");
        if (shape is null) throw Fail(path, reader, $"tensor '{name}' has no 'shape'");
        if (offsets is null) throw Fail(path, reader, $"tensor '{name}' has no 'data_offsets'");
        return new HeaderEntry(name, dtype.Value, shape, offsets[0], offsets[1]);
    }

    private static SafeTensorsDtype ReadDtype(ref Utf8JsonReader reader, string name, string path)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw Fail(path, reader, $"the dtype of tensor '{name}' is {Describe(reader.TokenType)}; expected a string");
        var text = reader.GetString()!;
        if (!SafeTensorsDtypes.TryParse(text, out var dtype))
            throw Fail(path, reader, $"tensor '{name}' has unsupported dtype '{text}'; supported: {string.Join(", ", SafeTensorsDtypes.All)}");
        return dtype;
    }

    private static ulong[] ReadUnsignedArray(ref Utf8JsonReader reader, string what, string path)
    {
        Expect(ref reader, JsonTokenType.StartArray, what, path);
        var values = new List<ulong>();
        while (Next(ref reader, path) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out var value))
                throw Fail(path, reader, $"{what} holds {Describe(reader.TokenType)} '{Text(ref reader)}'; expected a non-negative integer");
            values.Add(value);
        }
        return values.ToArray();
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader, string path)
    {
        if (!reader.Read()) throw Fail(path, reader, "the header ends early");
        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what, string path)
    {
        if (reader.TokenType != type) throw Fail(path, reader, $"{what} is {Describe(reader.TokenType)}; expected {Describe(type)}");
    }

    private static string Text(ref Utf8JsonReader reader) =>
        reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray ? "…" : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    private static SafeTensorsFormatException Fail(string path, in Utf8JsonReader reader, string detail) =>
        new(SafeTensorsRule.InvalidHeaderDeserialization, path, $"{detail} (at header byte {reader.TokenStartIndex})");
}
