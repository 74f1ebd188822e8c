using Lrnn.Torch;

namespace Lrnn.Checkpoints;

/// <summary>
/// The tensors and metadata of a loaded checkpoint. It owns the tensors (they belong to no dispose scope):
/// dispose it, or take tensors out and dispose them yourself.
/// </summary>
public sealed class LoadedCheckpoint : IDisposable
{
    internal LoadedCheckpoint(OrderedDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Name → tensor, in file order (weight-map order for a sharded checkpoint), tied aliases last.</summary>
    public OrderedDictionary<string, Tensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> of the file (of all shards, merged).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public void Dispose()
    {
        foreach (var tensor in Tensors.Values) tensor.Dispose();
    }
}
