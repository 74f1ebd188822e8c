namespace Lrnn.Torch.Modules;

/// <summary>
/// A node of a model: named parameters, buffers and submodules, registered explicitly in the constructor.
/// There is no reflection (TorchSharp's RegisterComponents turns every Tensor field into a buffer, in field
/// order): what is registered, under which name and in which order, is exactly what the code says, and that
/// order is the order of <see cref="named_parameters"/> and <see cref="state_dict"/>.
/// <para>
/// Ownership: a module owns the tensors it registers (they are taken out of any dispose scope, so a module
/// built inside a scope keeps its weights) and the submodules it registers, and disposes them in
/// <see cref="Dispose"/>. A tensor installed with <see cref="SetParameter"/> (weight tying) is borrowed: its
/// owner disposes it.
/// </para>
/// </summary>
public abstract class Module : IDisposable
{
    private readonly OrderedDictionary<string, Tensor> _parameters = new();
    private readonly OrderedDictionary<string, Tensor?> _buffers = new();
    private readonly HashSet<string> _nonPersistentBuffers = new();
    private readonly OrderedDictionary<string, Module> _modules = new();
    private readonly HashSet<Tensor> _owned = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    protected Module() { }

    /// <summary>True in training mode (the default), false after <see cref="eval"/>.</summary>
    public bool training { get; private set; } = true;

    // ---- registration ------------------------------------------------------------------------------

    /// <summary>
    /// Registers <paramref name="value"/> (a leaf tensor) as parameter <paramref name="name"/>, sets its
    /// requires_grad, and takes ownership of it. Re-registering a name replaces (and disposes) the old tensor.
    /// </summary>
    protected Tensor RegisterParameter(string name, Tensor value, bool requiresGrad = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name, _parameters);
        if (!value.is_leaf)
            throw new ArgumentException($"Parameter '{name}' must be a leaf tensor, but it was computed by a differentiable " +
                                        "operation; register value.detach() instead.", nameof(value));
        value.requires_grad = requiresGrad;
        Own(value);
        Release(Put(_parameters, name, value), value);
        return value;
    }

    /// <summary>
    /// Registers a buffer: state that is not trained (running statistics, masks, tables). A persistent buffer
    /// is part of <see cref="state_dict"/>; a null buffer is a declared slot with no value yet.
    /// </summary>
    protected Tensor? RegisterBuffer(string name, Tensor? value, bool persistent = true)
    {
        CheckName(name, _buffers);
        if (value is not null) Own(value);
        Release(Put(_buffers, name, value), value);
        if (persistent) _nonPersistentBuffers.Remove(name);
        else _nonPersistentBuffers.Add(name);
        return value;
    }

    /// <summary>Registers a submodule, owned by this module. Re-registering a name replaces (and disposes) the old one.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name, _modules);
        if (module.named_modules().Any(m => ReferenceEquals(m.Module, this)))
            throw new ArgumentException($"Registering '{name}' would make {GetType().Name} a submodule of itself.", nameof(module));
        var old = Put(_modules, name, module);
        if (old is not null && !_modules.Values.Any(m => ReferenceEquals(m, old))) old.Dispose();
        return module;
    }

    /// <summary>
    /// Installs another module's tensor as parameter <paramref name="name"/> (weight tying:
    /// <c>lm_head.SetParameter("weight", embedding.weight)</c>). The same Tensor object is then reachable under
    /// both names, stays shared through <see cref="to(ScalarType)"/>, and is borrowed: this module does not
    /// dispose it. A parameter this module owned under that name is disposed.
    /// </summary>
    public void SetParameter(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name, _parameters);
        Release(Put(_parameters, name, value), value);
    }

    /// <summary>This module's own parameter <paramref name="name"/> (not a dotted path), or null.</summary>
    public Tensor? GetParameter(string name) => _parameters.TryGetValue(name, out var p) ? p : null;

    /// <summary>This module's own buffer <paramref name="name"/>, or null.</summary>
    public Tensor? GetBuffer(string name) => _buffers.TryGetValue(name, out var b) ? b : null;

    /// <summary>The submodule at a dotted path (<c>"layers.0.mixer"</c>; <c>""</c> is this module), or null.</summary>
    public Module? GetSubmodule(string dottedName)
    {
        ArgumentNullException.ThrowIfNull(dottedName);
        if (dottedName.Length == 0) return this;
        Module current = this;
        foreach (var part in dottedName.Split('.'))
            if (!current._modules.TryGetValue(part, out current!)) return null;
        return current;
    }

    private void CheckName(string name, object table)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('.'))
            throw new ArgumentException($"Name '{name}' contains '.', which separates the levels of a dotted name.", nameof(name));
        var taken = table != _parameters && _parameters.ContainsKey(name) ? "parameter"
            : table != _buffers && _buffers.ContainsKey(name) ? "buffer"
            : table != _modules && _modules.ContainsKey(name) ? "submodule"
            : null;
        if (taken is not null)
            throw new ArgumentException($"'{name}' is already a {taken} of {GetType().Name}.", nameof(name));
    }

    private void Own(Tensor value)
    {
        value.DetachFromDisposeScope();
        _owned.Add(value);
    }

    // Stores value under name (in place when the name exists) and returns what it replaced.
    private static TValue? Put<TValue>(OrderedDictionary<string, TValue> table, string name, TValue value) where TValue : class?
    {
        table.TryGetValue(name, out var old);
        table[name] = value;
        return old;
    }

    // Disposes a replaced tensor if this module owned it and no longer holds it under another name.
    private void Release(Tensor? old, Tensor? replacement)
    {
        if (old is null || ReferenceEquals(old, replacement) || !_owned.Contains(old)) return;
        if (_parameters.Values.Any(t => ReferenceEquals(t, old)) || _buffers.Values.Any(t => ReferenceEquals(t, old))) return;
        _owned.Remove(old);
        old.Dispose();
    }

    // ---- traversal ---------------------------------------------------------------------------------

    // Every parameter and non-null buffer under every dotted name: own parameters, own buffers, then each
    // submodule's, in registration order (PyTorch's state_dict order). Shared tensors appear once per name.
    private readonly record struct Entry(string Name, Tensor Tensor, bool IsParameter, bool IsPersistent);

    private List<Entry> Entries(bool recurse)
    {
        var entries = new List<Entry>();
        CollectEntries("", recurse, entries);
        return entries;
    }

    private void CollectEntries(string prefix, bool recurse, List<Entry> into)
    {
        foreach (var (name, p) in _parameters) into.Add(new Entry(prefix + name, p, true, true));
        foreach (var (name, b) in _buffers)
            if (b is not null) into.Add(new Entry(prefix + name, b, false, !_nonPersistentBuffers.Contains(name)));
        if (!recurse) return;
        foreach (var (name, m) in _modules) m.CollectEntries(prefix + name + ".", true, into);
    }

    private static IEnumerable<(string Name, Tensor Tensor)> FirstNameOfEach(IEnumerable<Entry> entries)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var e in entries)
            if (seen.Add(e.Tensor)) yield return (e.Name, e.Tensor);
    }

    /// <summary>Parameters with dotted names, in registration order; a tied tensor once, under its first name.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> named_parameters(bool recurse = true) =>
        FirstNameOfEach(Entries(recurse).Where(e => e.IsParameter));

    public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.Parameter);

    /// <summary>Non-null buffers (persistent or not) with dotted names, each tensor once.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> named_buffers(bool recurse = true) =>
        FirstNameOfEach(Entries(recurse).Where(e => !e.IsParameter));

    /// <summary>The direct submodules, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> named_children() => _modules.Select(kv => (kv.Key, kv.Value)).ToList();

    /// <summary>This module (named "") and then every descendant with its dotted name, depth first, each module once.</summary>
    public IEnumerable<(string Name, Module Module)> named_modules()
    {
        var result = new List<(string, Module)>();
        CollectModules("", new HashSet<Module>(ReferenceEqualityComparer.Instance), result);
        return result;
    }

    private void CollectModules(string name, HashSet<Module> seen, List<(string, Module)> into)
    {
        if (!seen.Add(this)) return;
        into.Add((name, this));
        foreach (var (child, m) in _modules) m.CollectModules(name.Length == 0 ? child : name + "." + child, seen, into);
    }

    /// <summary>Number of parameter elements, each tensor counted once (a tied weight once).</summary>
    public long parameter_count(bool trainableOnly = false) =>
        parameters().Where(p => !trainableOnly || p.requires_grad).Sum(p => p.numel());

    // ---- state_dict --------------------------------------------------------------------------------

    /// <summary>
    /// Every parameter and persistent buffer under every dotted name (a tied tensor under each of its names, as
    /// PyTorch does), in registration order. The values are new handles, detached from autograd, sharing the
    /// module's storage: writing into them writes the weights, disposing them (or the dictionary) does not free
    /// the weights.
    /// </summary>
    public StateDict state_dict()
    {
        var dict = new StateDict();
        try
        {
            foreach (var e in Entries(recurse: true))
                if (e.IsPersistent) dict.Add(e.Name, e.Tensor.detach());
        }
        catch
        {
            dict.Dispose();
            throw;
        }
        return dict;
    }

    /// <summary>
    /// Copies <paramref name="source"/>'s values into this module's parameters and persistent buffers, under
    /// no_grad, converting dtype and device to the target's. A tied tensor counts as loaded when any of its
    /// names is present (checkpoints usually store a tied weight once). With <paramref name="strict"/>, any
    /// missing, unexpected or shape-mismatched key throws <see cref="StateDictMismatchException"/> before
    /// anything is copied; otherwise the matching keys are copied and the report is returned.
    /// </summary>
    public LoadStateDictResult load_state_dict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        var targets = Entries(recurse: true).Where(e => e.IsPersistent).ToList();
        var mismatched = new List<ShapeMismatch>();
        var loads = new List<(Tensor Target, Tensor Source)>();
        foreach (var e in targets)
        {
            if (!source.TryGetValue(e.Name, out var value)) continue;
            var expected = e.Tensor.shape;
            var actual = value.shape;
            if (expected.AsSpan().SequenceEqual(actual)) loads.Add((e.Tensor, value));
            else mismatched.Add(new ShapeMismatch(e.Name, expected, actual));
        }
        var loaded = new HashSet<Tensor>(loads.Select(l => l.Target), ReferenceEqualityComparer.Instance);
        var missing = targets.Where(e => !source.ContainsKey(e.Name) && !loaded.Contains(e.Tensor)).Select(e => e.Name).ToList();
        var known = targets.Select(e => e.Name).ToHashSet();
        var unexpected = source.Keys.Where(k => !known.Contains(k)).ToList();

        var result = new LoadStateDictResult(missing, unexpected, mismatched);
        if (strict && !result.IsExactMatch) throw new StateDictMismatchException(GetType().Name, result);
        using (torch.no_grad())
            foreach (var (target, value) in loads) target.copy_(value);
        return result;
    }

    // ---- device, dtype, mode -----------------------------------------------------------------------

    /// <summary>Moves every parameter and buffer (and gradient) to <paramref name="device"/>, in place.</summary>
    public Module to(Device device) => Convert(null, device);

    /// <summary>Casts every floating-point parameter and buffer (and gradient) to <paramref name="dtype"/>, in place; integer buffers keep their dtype.</summary>
    public Module to(ScalarType dtype) => Convert(dtype, null);

    public Module to(ScalarType dtype, Device device) => Convert(dtype, device);

    // Replaces each tensor's data (Tensor.set_data) rather than the tensor: every handle callers and tied
    // modules hold stays valid and sees the new dtype/device, as PyTorch's Module._apply.
    private Module Convert(ScalarType? dtype, Device? device)
    {
        if (dtype is { } d && !d.IsFloatingPoint())
            throw new ArgumentException($"Module.to casts floating-point tensors only, so the target dtype must be floating point; got {d}.", nameof(dtype));
        using var noGrad = torch.no_grad();
        foreach (var (_, tensor) in FirstNameOfEach(Entries(recurse: true)))
        {
            var targetType = dtype is { } t && tensor.dtype.IsFloatingPoint() ? t : tensor.dtype;
            var targetDevice = device ?? tensor.device;
            ReplaceData(tensor, targetType, targetDevice);
            using var grad = tensor.grad;
            if (grad is not null) ReplaceData(grad, targetType, targetDevice);
        }
        foreach (var (_, m) in named_modules()) m.OnConverted();
        return this;
    }

    /// <summary>
    /// Called on this module and every descendant after <see cref="to(Device)"/> has moved or cast their tensors: a
    /// module that keeps tensors derived from its parameters (a cache) drops them here, so the old storage is freed.
    /// </summary>
    protected virtual void OnConverted() { }

    private static void ReplaceData(Tensor tensor, ScalarType dtype, Device device)
    {
        using var converted = tensor.to(dtype, device);
        if (!converted.is_alias_of(tensor)) tensor.set_data(converted);
    }

    /// <summary>Sets training mode on this module and every descendant.</summary>
    public Module train(bool mode = true)
    {
        foreach (var (_, m) in named_modules()) m.training = mode;
        return this;
    }

    /// <summary>Evaluation mode: <c>train(false)</c>.</summary>
    public Module eval() => train(false);

    /// <summary>Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)).</summary>
    public void zero_grad()
    {
        foreach (var p in parameters()) p.grad = null;
    }

    // ---- lifetime ----------------------------------------------------------------------------------

    /// <summary>Disposes the submodules and the tensors this module owns. Idempotent.</summary>
    public virtual void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var m in _modules.Values) m.Dispose();
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
        _parameters.Clear();
        _buffers.Clear();
        _modules.Clear();
        GC.SuppressFinalize(this);
    }
}
