namespace Lrnn.Torch.Native;

/// <summary>
/// The native pointers of several tensors, borrowed for one native call that takes <c>tensor_t const*</c>.
/// Each handle's reference count is raised until <see cref="Dispose"/>, so a tensor disposed on another
/// thread meanwhile cannot be freed under the call. A null entry passes nullptr ("no tensor").
/// </summary>
internal ref struct TensorHandleArray
{
    private readonly TensorHandle?[] _handles;
    private int _borrowed;

    public TensorHandleArray(IReadOnlyList<Tensor?> tensors)
    {
        _handles = new TensorHandle?[tensors.Count];
        Pointers = new IntPtr[tensors.Count];
        try
        {
            for (var k = 0; k < tensors.Count; k++)
            {
                var handle = tensors[k]?.Handle;   // throws for a disposed tensor
                if (handle is null) continue;
                var added = false;
                handle.DangerousAddRef(ref added);
                _handles[k] = handle;
                _borrowed = k + 1;
                Pointers[k] = handle.DangerousGetHandle();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IntPtr[] Pointers { get; }

    public int Length => Pointers.Length;

    public void Dispose()
    {
        for (var k = 0; k < _borrowed; k++) _handles[k]?.DangerousRelease();
        _borrowed = 0;
    }
}
