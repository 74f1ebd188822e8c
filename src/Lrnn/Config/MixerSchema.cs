using Newtonsoft.Json.Linq;

namespace Lrnn.Config;

/// <summary>The keyword arguments one mixer type accepts (lrnnx's names and defaults, minus d_model and d_state).</summary>
public sealed class MixerSchema
{
    private readonly Dictionary<string, MixerKwarg> _kwargs;

    public MixerSchema(params MixerKwarg[] kwargs)
    {
        _kwargs = kwargs.ToDictionary(k => k.Name, StringComparer.Ordinal);
        Kwargs = kwargs;
    }

    public IReadOnlyList<MixerKwarg> Kwargs { get; }

    public bool Contains(string name) => _kwargs.ContainsKey(name);

    internal MixerKwarg this[string name] => _kwargs.TryGetValue(name, out var k)
        ? k
        : throw new KeyNotFoundException($"'{name}' is not a keyword argument of this mixer (known: {KnownNames})");

    internal string KnownNames => Kwargs.Count == 0 ? "none" : string.Join(", ", Kwargs.Select(k => k.Name));

    /// <summary>Every problem of <paramref name="args"/> for mixer <paramref name="mixerType"/>, one message each.</summary>
    internal IEnumerable<string> Problems(string mixerType, JObject args)
    {
        foreach (var (name, value) in args)
        {
            if (name == "d_state")
                yield return $"mixer_kwargs for '{mixerType}' contain 'd_state': the model's d_state is passed to every mixer " +
                             "(lrnnx raises a duplicate-keyword TypeError here); set LrnnConfig.d_state instead";
            else if (name == "d_model")
                yield return $"mixer_kwargs for '{mixerType}' contain 'd_model': it is the model's d_model; remove it";
            else if (!_kwargs.TryGetValue(name, out var kwarg))
                yield return $"unknown keyword argument '{name}' for mixer '{mixerType}' (known: {KnownNames})";
            else if (kwarg.Check(value!) is { } why)
                yield return $"mixer '{mixerType}': {why}";
        }
        foreach (var k in Kwargs.Where(k => k.Required && !args.ContainsKey(k.Name)))
            yield return $"mixer '{mixerType}' requires the keyword argument '{k.Name}'";
    }
}
