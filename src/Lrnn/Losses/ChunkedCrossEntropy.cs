using Lrnn.Torch;

namespace Lrnn.Losses;

/// <summary>
/// "chunked" (KempnerForge's chunked_cross_entropy): the head still materialises the (N, V) logits in their own dtype,
/// but the float32 upcast and the cross-entropy's intermediates exist for one chunk of tokens at a time. That saves
/// memory only without autograd (evaluation): when training, autograd keeps every chunk's float32 logits for backward,
/// as it does in KempnerForge; <see cref="FusedLinearCrossEntropy"/> is the implementation that saves training memory.
/// </summary>
public sealed class ChunkedCrossEntropy(long chunkSize) : CrossEntropyImplementation
{
    public const long DefaultChunkSize = 4096;

    public long ChunkSize { get; } = chunkSize > 0 ? chunkSize : DefaultChunkSize;

    public override string Name => LossFunctions.Chunked;
    public override bool MaterialisesLogits => true;

    public override TokenLosses Compute(IVocabularyProjection head, Tensor hidden, Tensor labels, long ignoreIndex, double labelSmoothing,
        out Tensor? logits)
    {
        logits = head.Project(hidden);                                                  // (N, V)
        var n = logits.size(0);
        if (n <= ChunkSize) return FromLogits(logits, labels, ignoreIndex, labelSmoothing);
        using var scope = torch.NewDisposeScope();
        var nll = new List<Tensor>();
        var lse = new List<Tensor>();
        for (long start = 0; start < n; start += ChunkSize)
        {
            var length = Math.Min(ChunkSize, n - start);
            using var chunk = FromLogits(logits.narrow(0, start, length), labels.narrow(0, start, length), ignoreIndex, labelSmoothing);
            nll.Add(chunk.Nll.alias());
            lse.Add(chunk.Lse.alias());
        }
        return new TokenLosses(torch.cat(nll).MoveToOuterDisposeScope(), torch.cat(lse).MoveToOuterDisposeScope());
    }
}
