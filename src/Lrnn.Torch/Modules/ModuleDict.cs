using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Lrnn.Torch.Modules;

/// <summary>Submodules by name, in insertion order; each key is registered as a submodule name.</summary>
public sealed class ModuleDict<T> : Module, IReadOnlyDictionary<string, T> where T : Module
{
    private readonly OrderedDictionary<string, T> _items = new();

    public void Add(string key, T module)
    {
        if (_items.ContainsKey(key)) throw new ArgumentException($"ModuleDict already has a module '{key}'.", nameof(key));
        RegisterModule(key, module);
        _items.Add(key, module);
    }

    public T this[string key] => _items.TryGetValue(key, out var m)
        ? m
        : throw new KeyNotFoundException($"ModuleDict has no module '{key}' (keys: {string.Join(", ", _items.Keys)}).");

    public IEnumerable<string> Keys => _items.Keys;
    public IEnumerable<T> Values => _items.Values;
    public int Count => _items.Count;
    public bool ContainsKey(string key) => _items.ContainsKey(key);
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value) => _items.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
