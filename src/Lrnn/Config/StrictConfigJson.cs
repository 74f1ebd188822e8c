using System.Numerics;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;

namespace Lrnn.Config;

/// <summary>
/// Reads config.json strictly before Newtonsoft binds it: Newtonsoft alone turns <c>"d_model": 64.5</c> into 64,
/// <c>"d_model": "64"</c> into 64 and keeps the last of two equal keys. A file is a model's whole description, so
/// each of these is an error naming the field (its JSON path): a duplicate key (as the safetensors reader refuses
/// one), a number that is not an integer or does not fit where an integer goes, and a value of the wrong JSON type
/// (a string for a number or a boolean). The check follows the serializer's own contracts, so it covers every
/// field of <see cref="LrnnConfig"/> and of the objects it holds (initializer_cfg, lm_head, ...), and a field
/// added later is covered without change. Values kept as raw JSON (<c>mixer_kwargs</c>) are checked by their schemas.
/// </summary>
internal static class StrictConfigJson
{
    private static readonly JsonLoadSettings s_load = new()
    {
        DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error,
        CommentHandling = CommentHandling.Ignore,
        LineInfoHandling = LineInfoHandling.Load,
    };

    /// <summary>Parses <paramref name="json"/>, checks it against <typeparamref name="T"/>'s contract and binds it.</summary>
    public static T? Deserialize<T>(string json, JsonSerializerSettings settings, string source)
    {
        if (string.IsNullOrWhiteSpace(json)) return default; // reported by the caller as an empty document
        JToken root;
        try
        {
            root = JToken.Parse(json, s_load);
        }
        catch (JsonReaderException e)
        {
            throw new LrnnConfigException($"{source}: {e.Message}");
        }
        if (root.Type == JTokenType.Null) return default;
        var serializer = JsonSerializer.Create(settings);
        var problem = Check(root, typeof(T), serializer.ContractResolver);
        if (problem is not null) throw new LrnnConfigException($"{source}: {problem}");
        return root.ToObject<T>(serializer);
    }

    /// <summary>The first mismatch between <paramref name="token"/> and <paramref name="type"/>, or null.</summary>
    private static string? Check(JToken token, Type type, IContractResolver resolver)
    {
        if (token.Type == JTokenType.Null || typeof(JToken).IsAssignableFrom(type) || type == typeof(object)) return null;
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (IntegerRange(t) is { } range)
        {
            if (token.Type != JTokenType.Integer) return Mismatch(token, "an integer");
            var value = token.ToObject<BigInteger>();
            return value < range.Min || value > range.Max
                ? $"'{token.Path}' is {value}, outside the range of its type ({range.Min} to {range.Max}){Where(token)}"
                : null;
        }
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal))
            return token.Type is JTokenType.Integer or JTokenType.Float ? null : Mismatch(token, "a number");
        if (t == typeof(bool)) return token.Type == JTokenType.Boolean ? null : Mismatch(token, "true or false");
        if (t == typeof(string)) return token.Type == JTokenType.String ? null : Mismatch(token, "a string");
        if (t.IsEnum) return token.Type is JTokenType.String or JTokenType.Integer ? null : Mismatch(token, "a name");

        switch (resolver.ResolveContract(t))
        {
            case JsonDictionaryContract dictionary:
                if (token is not JObject map) return Mismatch(token, "an object");
                return map.Properties().Select(p => Check(p.Value, dictionary.DictionaryValueType ?? typeof(object), resolver))
                    .FirstOrDefault(p => p is not null);
            case JsonArrayContract array:
                if (token is not JArray items) return Mismatch(token, "an array");
                return items.Select(item => Check(item, array.CollectionItemType ?? typeof(object), resolver)).FirstOrDefault(p => p is not null);
            case JsonObjectContract contract:
                if (token is not JObject obj) return Mismatch(token, "an object");
                foreach (var property in obj.Properties())
                {
                    // Unknown names are left to the serializer's MissingMemberHandling, which names them.
                    var member = contract.Properties.GetClosestMatchProperty(property.Name);
                    if (member is null || member.Ignored || member.PropertyType is null) continue;
                    if (Check(property.Value, member.PropertyType, resolver) is { } problem) return problem;
                }
                return null;
            default:
                return null;
        }
    }

    private static (BigInteger Min, BigInteger Max)? IntegerRange(Type t) =>
        t == typeof(long) ? (long.MinValue, long.MaxValue)
        : t == typeof(int) ? (int.MinValue, int.MaxValue)
        : t == typeof(short) ? (short.MinValue, short.MaxValue)
        : t == typeof(byte) ? (byte.MinValue, byte.MaxValue)
        : t == typeof(ulong) ? (ulong.MinValue, ulong.MaxValue)
        : t == typeof(uint) ? (uint.MinValue, uint.MaxValue)
        : null;

    private static string Mismatch(JToken token, string expected) =>
        $"'{token.Path}' must be {expected}, but it is {Describe(token)}{Where(token)}";

    private static string Describe(JToken token) => token.Type switch
    {
        JTokenType.String => $"the string \"{token}\"",
        JTokenType.Float or JTokenType.Integer => $"the number {token.ToString(Formatting.None)}",
        JTokenType.Boolean => $"the boolean {token.ToString(Formatting.None)}",
        JTokenType.Object => "an object",
        JTokenType.Array => "an array",
        _ => token.Type.ToString(),
    };

    private static string Where(JToken token) =>
        token is IJsonLineInfo info && info.HasLineInfo() ? $" (line {info.LineNumber}, position {info.LinePosition})" : "";
}
