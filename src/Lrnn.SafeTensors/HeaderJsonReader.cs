using System.Text.Json;

namespace Lrnn.SafeTensors;

/// <summary>A header entry as written, before layout validation: sizes stay unsigned 64-bit so that overflow is
/// reported as such (ValidationOverflow) rather than as a parse error. A struct: a header can hold hundreds of
/// thousands of entries.</summary>
internal readonly record struct HeaderEntry(string Name, SafeTensorsDtype Dtype, ulong[] Shape, ulong Begin, ulong End);

/// <summary>
/// Parses the JSON header with <see cref="Utf8JsonReader"/>, which (unlike a DOM) sees every key, so duplicate
/// tensor names, duplicate fields and duplicate metadata keys are rejected instead of silently resolved: the
/// format forbids them and two parsers that resolve them differently would read two different models.
/// Like the reference (serde), it accepts surrounding whitespace, a null <c>__metadata__</c> and unknown fields
/// inside an entry, and rejects comments, trailing commas, anything after the root object, and a string holding
/// an unpaired UTF-16 surrogate escape (<c>"\ud800"</c>), which is not Unicode.
/// <para>
/// One pass, and per entry only the allocations its result needs (the name and the shape): field names and dtypes
/// are compared as UTF-8 bytes, and error messages are built only on failure. A 28 MB header of 400,000 tensors
/// parses in a fraction of a second (docs/checkpoints.md has the measurement).
/// </para>
/// </summary>
internal static class HeaderJsonReader
{
    private const string MetadataKey = "__metadata__";

    public static (Dictionary<string, string> Metadata, List<HeaderEntry> Entries) Read(ReadOnlySpan<byte> json, string path)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        // Sized once (a vectorised count of the field name bounds the entries), so a header of many tensors does not
        // regrow and copy its collections while the garbage collector promotes them.
        var expected = Math.Min(Math.Min(json.Count("data_offsets"u8), json.Length / 40), SafeTensorsHeader.MaxTensorCount + 1);
        var entries = new List<HeaderEntry>(expected);
        var reader = new Utf8JsonReader(json);
        try
        {
            reader.Read(); // throws on a header of whitespace only
            Expect(ref reader, JsonTokenType.StartObject, "the header", path);
            var names = new HashSet<string>(expected, StringComparer.Ordinal);
            var scratch = new List<ulong>();
            while (Next(ref reader, path) == JsonTokenType.PropertyName)
            {
                var name = ReadString(ref reader, path);
                if (!names.Add(name)) throw Fail(path, reader, $"duplicate key '{name}'");
                Next(ref reader, path);
                if (name == MetadataKey) ReadMetadata(ref reader, metadata, path);
                else if (entries.Count == SafeTensorsHeader.MaxTensorCount) throw TooManyTensors(path, "the header lists");
                else entries.Add(ReadEntry(ref reader, name, path, scratch));
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

    internal static SafeTensorsFormatException TooManyTensors(string path, string what) =>
        new(SafeTensorsRule.TooManyTensors, path,
            $"{what} more than {SafeTensorsHeader.MaxTensorCount:N0} tensors, this reader's limit per file: shard the checkpoint");

    private static string ReadString(ref Utf8JsonReader reader, string path) =>
        JsonStrings.Get(ref reader, (detail, e) => new SafeTensorsFormatException(SafeTensorsRule.InvalidHeaderDeserialization, path, detail, e));

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string path)
    {
        if (reader.TokenType == JsonTokenType.Null) return;
        Expect(ref reader, JsonTokenType.StartObject, $"'{MetadataKey}'", path);
        while (Next(ref reader, path) == JsonTokenType.PropertyName)
        {
            var key = ReadString(ref reader, path);
            if (Next(ref reader, path) != JsonTokenType.String)
                throw Fail(path, reader, $"metadata value of '{key}' is {Describe(reader.TokenType)}; metadata values must be strings");
            if (!metadata.TryAdd(key, ReadString(ref reader, path))) throw Fail(path, reader, $"duplicate metadata key '{key}'");
        }
    }

    private static HeaderEntry ReadEntry(ref Utf8JsonReader reader, string name, string path, List<ulong> scratch)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw Fail(path, reader, $"tensor '{name}' is {Describe(reader.TokenType)}; expected an object");
        SafeTensorsDtype? dtype = null;
        ulong[]? shape = null;
        (ulong Begin, ulong End)? offsets = null;
        while (Next(ref reader, path) == JsonTokenType.PropertyName)
        {
            var field = Field(ref reader, path);
            Next(ref reader, path);
            switch (field)
            {
                case EntryField.Dtype:
                    if (dtype is not null) throw Fail(path, reader, $"tensor '{name}' has a duplicate field 'dtype'");
                    dtype = ReadDtype(ref reader, name, path);
                    break;
                case EntryField.Shape:
                    if (shape is not null) throw Fail(path, reader, $"tensor '{name}' has a duplicate field 'shape'");
                    ReadUnsignedArray(ref reader, name, "shape", path, scratch);
                    shape = scratch.ToArray();
                    break;
                case EntryField.DataOffsets:
                    if (offsets is not null) throw Fail(path, reader, $"tensor '{name}' has a duplicate field 'data_offsets'");
                    ReadUnsignedArray(ref reader, name, "data_offsets", path, scratch);
                    if (scratch.Count != 2)
                        throw Fail(path, reader, $"the data_offsets of tensor '{name}' have {scratch.Count} numbers; expected [BEGIN, END]");
                    offsets = (scratch[0], scratch[1]);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (dtype is null) throw Fail(path, reader, $"tensor '{name}' has no 'dtype'");
        if (shape is null) throw Fail(path, reader, $"tensor '{name}' has no 'shape'");
        if (offsets is not { } o) throw Fail(path, reader, $"tensor '{name}' has no 'data_offsets'");
        return new HeaderEntry(name, dtype.Value, shape, o.Begin, o.End);
    }

    private enum EntryField { Other, Dtype, Shape, DataOffsets }

    /// <summary>Which field the property name is, compared as UTF-8 (no string per field).</summary>
    private static EntryField Field(ref Utf8JsonReader reader, string path)
    {
        // An escaped name is decoded first: ValueTextEquals, like GetString, throws InvalidOperationException on a
        // lone surrogate escape (found by ReaderFuzzTests).
        if (reader.ValueIsEscaped)
            return ReadString(ref reader, path) switch
            {
                "dtype" => EntryField.Dtype,
                "shape" => EntryField.Shape,
                "data_offsets" => EntryField.DataOffsets,
                _ => EntryField.Other,
            };
        var name = reader.ValueSpan;
        return name.SequenceEqual("dtype"u8) ? EntryField.Dtype
            : name.SequenceEqual("shape"u8) ? EntryField.Shape
            : name.SequenceEqual("data_offsets"u8) ? EntryField.DataOffsets
            : EntryField.Other;
    }

    private static SafeTensorsDtype ReadDtype(ref Utf8JsonReader reader, string name, string path)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw Fail(path, reader, $"the dtype of tensor '{name}' is {Describe(reader.TokenType)}; expected a string");
        if (!reader.ValueIsEscaped && SafeTensorsDtypes.TryParseUtf8(reader.ValueSpan, out var dtype)) return dtype;
        var text = ReadString(ref reader, path);
        if (!SafeTensorsDtypes.TryParse(text, out dtype))
            throw Fail(path, reader, $"tensor '{name}' has unsupported dtype '{text}'; supported: {string.Join(", ", SafeTensorsDtypes.All)}");
        return dtype;
    }

    /// <summary>Reads an array of non-negative integers into <paramref name="values"/> (cleared first).</summary>
    private static void ReadUnsignedArray(ref Utf8JsonReader reader, string name, string field, string path, List<ulong> values)
    {
        values.Clear();
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Fail(path, reader, $"the {field} of tensor '{name}' is {Describe(reader.TokenType)}; expected an array");
        while (Next(ref reader, path) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out var value))
                throw Fail(path, reader, $"the {field} of tensor '{name}' holds {Describe(reader.TokenType)} '{Text(ref reader)}'; expected a non-negative integer");
            values.Add(value);
        }
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
