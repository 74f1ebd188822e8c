namespace Lrnn.PyTorchCheckpoints;

// The values the restricted unpickler builds. Python's int, float, str, bool and None become long, double, string,
// bool and null; containers and torch objects become the records below. Nothing here can run code.

/// <summary>A Python tuple.</summary>
internal sealed record PickleTuple(object?[] Items);

/// <summary>A Python list.</summary>
internal sealed class PickleList
{
    public List<object?> Items { get; } = [];
}

/// <summary>A dict or collections.OrderedDict, in insertion order (a repeated key replaces the value, as in Python).</summary>
internal sealed class PickleDict
{
    private readonly Dictionary<object, int> _index = new();

    public List<KeyValuePair<object, object?>> Items { get; } = [];

    public void Set(object? key, object? value, Func<string, Exception> error)
    {
        if (key is not (string or long or bool or double or PickleTuple or null))
            throw error($"a dict key of type {PickleUnpickler.Describe(key)} (a state dict's keys are strings)");
        var k = key ?? NoneKey.Instance;
        if (_index.TryGetValue(k, out var at)) Items[at] = new(k, value);
        else
        {
            _index.Add(k, Items.Count);
            Items.Add(new(k, value));
        }
    }

    private sealed class NoneKey
    {
        public static readonly NoneKey Instance = new();
    }
}

/// <summary>A global (module.name) that passed the allow-list.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>A storage named by a persistent id: <c>('storage', torch.FloatStorage, key, location, numel)</c>.</summary>
internal sealed record StorageReference(string Key, PyTorchDtype Dtype, long Numel, string Location);

/// <summary>A tensor rebuilt by <c>torch._utils._rebuild_tensor_v2</c>: a view of a storage.</summary>
internal sealed record TensorReference(StorageReference Storage, long Offset, long[] Shape, long[] Stride);
