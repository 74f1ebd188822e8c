namespace Lrnn.PyTorchCheckpoints;

/// <summary>
/// One tensor of a PyTorch checkpoint: a view (offset, shape, strides, in elements) of a storage, as PyTorch keeps
/// it. Several tensors may view one storage: tied weights (the same view under two names) or slices of one buffer.
/// </summary>
public sealed record PyTorchTensorInfo
{
    internal PyTorchTensorInfo(string name, TensorReference tensor)
    {
        Name = name;
        Dtype = tensor.Storage.Dtype;
        Shape = tensor.Shape;
        Stride = tensor.Stride;
        StorageOffset = tensor.Offset;
        StorageKey = tensor.Storage.Key;
        StorageNumel = tensor.Storage.Numel;
    }

    public string Name { get; }
    public PyTorchDtype Dtype { get; }
    public IReadOnlyList<long> Shape { get; }
    public IReadOnlyList<long> Stride { get; }
    public long StorageOffset { get; }

    /// <summary>The storage's record name (<c>data/&lt;key&gt;</c>); equal keys mean shared memory in PyTorch.</summary>
    public string StorageKey { get; }

    /// <summary>Elements in the storage.</summary>
    public long StorageNumel { get; }

    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);

    public long ByteCount => Numel * Dtype.ElementSize();

    /// <summary>Row-major with no gaps (the strides torch gives a fresh tensor of this shape).</summary>
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (var i = Shape.Count - 1; i >= 0; i--)
            {
                if (Shape[i] != 1 && Stride[i] != expected) return false;
                expected *= Shape[i];
            }
            return true;
        }
    }

    /// <summary>True when both view the same elements of the same storage (tied weights): same storage, dtype, offset, shape and strides.</summary>
    public bool IsSameViewAs(PyTorchTensorInfo other) =>
        StorageKey == other.StorageKey && Dtype == other.Dtype && StorageOffset == other.StorageOffset &&
        Shape.SequenceEqual(other.Shape) && Stride.SequenceEqual(other.Stride);
}
