using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Lrnn.Torch.Modules;

/// <summary>
/// Named tensors in insertion order: what <see cref="Module.state_dict"/> returns and
/// <see cref="Module.load_state_dict"/> reads. Owns its values: <see cref="Dispose"/> disposes them (the values of
/// a module's state_dict are separate handles, so that never frees the module's weights).
/// </summary>
public sealed class StateDict : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly OrderedDictionary<string, Tensor> _entries = new();

    /// <summary>Adds <paramref name="tensor"/>, which the dictionary then owns.</summary>
    public void Add(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _entries.Add(name, tensor);
    }

    public Tensor this[string key] =>
        _entries.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"The state_dict has no key '{key}'.");

    public IEnumerable<string> Keys => _entries.Keys;
    public IEnumerable<Tensor> Values => _entries.Values;
    public int Count => _entries.Count;
    public bool ContainsKey(string key) => _entries.ContainsKey(key);
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value) => _entries.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _entries.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var t in _entries.Values) t.Dispose();
        _entries.Clear();
    }
}
