using System.Text.Encodings.Web;
using System.Text.Json;

namespace Lrnn.SafeTensors;

/// <summary>
/// The index of a sharded checkpoint, <c>model.safetensors.index.json</c>:
/// <c>{"metadata": {"total_size": bytes}, "weight_map": {tensor name: shard file name}}</c>, as Hugging Face
/// writes it. Reading rejects duplicate tensor names (a DOM parser would keep one of them silently).
/// </summary>
public sealed class SafeTensorsIndex
{
    public const string FileSuffix = ".safetensors.index.json";
    public const string DefaultFileName = "model" + FileSuffix;

    public SafeTensorsIndex(long totalSize, IReadOnlyDictionary<string, string> weightMap)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalSize);
        ArgumentNullException.ThrowIfNull(weightMap);
        TotalSize = totalSize;
        WeightMap = weightMap;
    }

    /// <summary>Bytes of tensor data over all shards (headers not included).</summary>
    public long TotalSize { get; }

    /// <summary>Tensor name → shard file name (relative to the index's folder), in the index's order.</summary>
    public IReadOnlyDictionary<string, string> WeightMap { get; }

    /// <summary>The shard file names, each once, in order of first appearance.</summary>
    public IReadOnlyList<string> ShardFileNames => WeightMap.Values.Distinct(StringComparer.Ordinal).ToArray();

    public static SafeTensorsIndex Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        var json = File.ReadAllBytes(fullPath);
        var reader = new Utf8JsonReader(json);
        long totalSize = 0;
        OrderedDictionary<string, string>? weightMap = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw Fail(fullPath, "the index is not a JSON object");
            while (Next(ref reader, fullPath) == JsonTokenType.PropertyName)
            {
                var key = ReadString(ref reader, fullPath);
                Next(ref reader, fullPath);
                if (key == "weight_map") weightMap = ReadWeightMap(ref reader, fullPath);
                else if (key == "metadata") totalSize = ReadTotalSize(ref reader, fullPath);
                else reader.Skip();
            }
            if (reader.Read()) throw Fail(fullPath, "content after the index object");
        }
        catch (JsonException e)
        {
            throw new SafeTensorsIndexException(SafeTensorsRule.InvalidIndex, fullPath, $"the index is not valid JSON: {e.Message}", e);
        }
        return new SafeTensorsIndex(totalSize, weightMap ?? throw Fail(fullPath, "the index has no 'weight_map'"));
    }

    /// <summary>Writes the index atomically, as Hugging Face does: indented, keys sorted.</summary>
    public void Save(string path)
    {
        AtomicFile.Replace(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_size", TotalSize);
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach (var (name, file) in WeightMap.OrderBy(kv => kv.Key, StringComparer.Ordinal)) json.WriteString(name, file);
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    private static OrderedDictionary<string, string> ReadWeightMap(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw Fail(path, "'weight_map' is not an object");
        var map = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        while (Next(ref reader, path) == JsonTokenType.PropertyName)
        {
            var name = ReadString(ref reader, path);
            if (Next(ref reader, path) != JsonTokenType.String) throw Fail(path, $"the shard of tensor '{name}' is not a string");
            if (!map.TryAdd(name, ReadString(ref reader, path))) throw Fail(path, $"tensor '{name}' appears twice in 'weight_map'");
        }
        return map;
    }

    private static long ReadTotalSize(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw Fail(path, "'metadata' is not an object");
        long totalSize = 0;
        while (Next(ref reader, path) == JsonTokenType.PropertyName)
        {
            var key = ReadString(ref reader, path);
            Next(ref reader, path);
            if (key != "total_size") reader.Skip();
            else totalSize = ReadByteCount(ref reader) ?? throw Fail(path, "'metadata.total_size' is not a non-negative integer");
        }
        return totalSize;
    }

    /// <summary>Some converters write the size as a float ("1.2e9" or "1200.0"); accept it when it is whole.</summary>
    private static long? ReadByteCount(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number) return null;
        if (reader.TryGetInt64(out var exact)) return exact >= 0 ? exact : null;
        return reader.TryGetDouble(out var value) && value >= 0 && value < long.MaxValue && Math.Floor(value) == value ? (long)value : null;
    }

    private static string ReadString(ref Utf8JsonReader reader, string path) =>
        JsonStrings.Get(ref reader, (detail, e) => new SafeTensorsIndexException(SafeTensorsRule.InvalidIndex, path, detail, e));

    private static JsonTokenType Next(ref Utf8JsonReader reader, string path) =>
        reader.Read() ? reader.TokenType : throw Fail(path, "the index ends early");

    private static SafeTensorsIndexException Fail(string path, string detail) => new(SafeTensorsRule.InvalidIndex, path, detail);
}
