using Newtonsoft.Json.Linq;

namespace Lrnn.Config;

/// <summary>
/// The resolved keyword arguments of one layer's mixer: the values given in <c>mixer_kwargs</c> over the
/// schema's defaults. Reading a name the schema does not declare is a programming error and throws.
/// </summary>
public sealed class MixerArguments
{
    private readonly MixerSchema _schema;
    private readonly JObject _given;

    internal MixerArguments(MixerSchema schema, JObject given)
    {
        _schema = schema;
        _given = given;
    }

    private JToken? Value(string name)
    {
        var kwarg = _schema[name];
        var v = _given.TryGetValue(name, out var given) ? given : kwarg.Default;
        return v is null || v.Type == JTokenType.Null ? null : v;
    }

    private JToken Required(string name) =>
        Value(name) ?? throw new LrnnConfigException($"the keyword argument '{name}' has no value and no default");

    public long GetInt(string name) => (long)Required(name);
    public long? GetIntOrNull(string name) => (long?)Value(name);
    public double GetDouble(string name) => (double)Required(name);
    public double? GetDoubleOrNull(string name) => (double?)Value(name);
    public bool GetBool(string name) => (bool)Required(name);
    public string GetString(string name) => (string)Required(name)!;
    public string? GetStringOrNull(string name) => (string?)Value(name);
}
