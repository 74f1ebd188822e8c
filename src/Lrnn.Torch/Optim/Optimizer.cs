using Lrnn.Torch.Native;

namespace Lrnn.Torch.Optim;

/// <summary>
/// A libtorch optimizer (torch::optim) over parameter groups. The native optimizer keeps its own references
/// to the parameters, so the optimizer stays valid whatever happens to the caller's <see cref="Tensor"/>
/// objects; dispose the optimizer to free its state.
/// <code>
/// var opt = new AdamW(new[] {
///     new AdamW.ParamGroup(weights),
///     new AdamW.ParamGroup(normsAndBiases) { weight_decay = 0 },
/// }, lr: 3e-4);
/// loss.backward(); opt.step(); opt.zero_grad();
/// </code>
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly OptimizerHandle _handle;
    private readonly List<OptimizerParamGroup> _groups = new();

    private protected Optimizer(IntPtr native)
    {
        if (native == IntPtr.Zero) throw NativeErrors.Last();
        _handle = new OptimizerHandle(native);
    }

    internal OptimizerHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }

    /// <summary>The parameter groups, in the order they were given; each one's learning rate can be changed.</summary>
    public IReadOnlyList<OptimizerParamGroup> param_groups => _groups;

    /// <summary>Updates every parameter from its current gradient (parameters without a gradient are skipped).</summary>
    public void step() => NativeErrors.Check(NativeMethods.lrnn_optimizer_step(Handle));

    /// <summary>
    /// Clears the gradients: drops them (<paramref name="setToNone"/>, the default, as in PyTorch 2: saves
    /// memory and the next backward writes instead of accumulating) or fills them with zeros.
    /// </summary>
    public void zero_grad(bool setToNone = true) =>
        NativeErrors.Check(NativeMethods.lrnn_optimizer_zero_grad(Handle, setToNone ? 1 : 0));

    /// <summary>
    /// The full state (per-parameter moments and step counts, and each group's learning rate) as bytes.
    /// <see cref="load_state_dict(byte[])"/> on an optimizer of the same kind over parameters of the same
    /// shapes, groups and order resumes bit-identically.
    /// </summary>
    public byte[] state_dict()
    {
        using var bytes = Tensor.FromNative(NativeMethods.lrnn_optimizer_save(Handle));
        return bytes.ToArray<byte>();
    }

    /// <summary>Restores a state from <see cref="state_dict"/>, including each group's learning rate.</summary>
    public unsafe void load_state_dict(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        fixed (byte* p = state) NativeErrors.Check(NativeMethods.lrnn_optimizer_load(Handle, p, state.Length));
    }

    /// <summary>Writes <see cref="state_dict"/> to a file.</summary>
    public void save_state_dict(string path) => File.WriteAllBytes(path, state_dict());

    /// <summary>Restores the state written by <see cref="save_state_dict"/>.</summary>
    public void load_state_dict(string path) => load_state_dict(File.ReadAllBytes(path));

    public void Dispose() => _handle.Dispose();

    /// <summary>Checks a group's parameters and adds the group natively through <paramref name="add"/>.</summary>
    private protected unsafe void AddGroup(IReadOnlyList<Tensor> parameters, AddGroupNative add)
    {
        if (parameters.Count == 0)
            throw new ArgumentException($"parameter group {_groups.Count} is empty.", nameof(parameters));
        for (var k = 0; k < parameters.Count; k++)
        {
            var p = parameters[k];
            if (!p.requires_grad || !p.is_leaf)
                throw new ArgumentException(
                    $"parameter {k} of group {_groups.Count} (shape {Tensor.Dims(p.shape)}) must be a leaf tensor that requires grad.",
                    nameof(parameters));
        }
        using var handles = new TensorHandleArray(parameters);
        fixed (IntPtr* ptrs = handles.Pointers) NativeErrors.Check(add(Handle, ptrs, handles.Length));
        _groups.Add(new OptimizerParamGroup(this, _groups.Count, parameters));
    }

    private protected unsafe delegate int AddGroupNative(OptimizerHandle optimizer, IntPtr* parameters, long count);

    /// <summary>Throws when the constructor was given no group.</summary>
    private protected void RequireGroups(string parameterName)
    {
        if (_groups.Count == 0) throw new ArgumentException($"{GetType().Name} needs at least one parameter group.", parameterName);
    }
}

/// <summary>
/// The options every optimizer's parameter groups share (each optimizer's <c>ParamGroup</c> adds its own); an option
/// left null takes the optimizer's default.
/// </summary>
public abstract class ParamGroupOptions(IEnumerable<Tensor> parameters)
{
    public IReadOnlyList<Tensor> parameters { get; } = parameters.ToArray();
    public double? lr { get; init; }
    public double? weight_decay { get; init; }
}

/// <summary>One parameter group of an <see cref="Optimizer"/>, with its learning rate (for schedulers).</summary>
public sealed class OptimizerParamGroup
{
    private readonly Optimizer _optimizer;
    private readonly int _index;

    internal OptimizerParamGroup(Optimizer optimizer, int index, IReadOnlyList<Tensor> parameters)
    {
        _optimizer = optimizer;
        _index = index;
        this.parameters = parameters;
    }

    public IReadOnlyList<Tensor> parameters { get; }

    public double lr
    {
        get
        {
            NativeErrors.Check(NativeMethods.lrnn_optimizer_get_lr(_optimizer.Handle, _index, out var value));
            return value;
        }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            NativeErrors.Check(NativeMethods.lrnn_optimizer_set_lr(_optimizer.Handle, _index, value));
        }
    }
}
