using Newtonsoft.Json.Linq;

namespace Lrnn.Config;

/// <summary>The JSON types a mixer keyword argument may take.</summary>
public enum KwargKind
{
    Int,
    Float,
    Bool,
    String,
}

/// <summary>
/// One keyword argument of a mixer: its name (lrnnx's), its type, its default (null: no default, or Python's
/// None when <see cref="Nullable"/>), whether it is required, and for strings the accepted values.
/// </summary>
public sealed record MixerKwarg(string Name, KwargKind Kind, JToken? Default = null)
{
    public bool Required { get; init; }

    /// <summary>Python's None is accepted (and then means "derive it", e.g. num_heads_kv = num_heads).</summary>
    public bool Nullable { get; init; }

    /// <summary>For <see cref="KwargKind.String"/>: the accepted values; null accepts any string.</summary>
    public IReadOnlyList<string>? Choices { get; init; }

    /// <summary>Returns why <paramref name="value"/> is not acceptable, or null when it is.</summary>
    internal string? Check(JToken value)
    {
        if (value.Type == JTokenType.Null)
            return Nullable ? null : $"'{Name}' may not be null";
        var ok = Kind switch
        {
            KwargKind.Int => value.Type == JTokenType.Integer,
            KwargKind.Float => value.Type is JTokenType.Float or JTokenType.Integer,
            KwargKind.Bool => value.Type == JTokenType.Boolean,
            KwargKind.String => value.Type == JTokenType.String,
            _ => false,
        };
        if (!ok) return $"'{Name}' must be {Kind.ToString().ToLowerInvariant()}, got {value.Type.ToString().ToLowerInvariant()} {value.ToString(Newtonsoft.Json.Formatting.None)}";
        if (Choices is not null && !Choices.Contains((string)value!))
            return $"'{Name}' must be one of {string.Join(", ", Choices.Select(c => $"\"{c}\""))}, got \"{value}\"";
        return null;
    }
}
