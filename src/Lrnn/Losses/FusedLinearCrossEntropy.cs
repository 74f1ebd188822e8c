using Lrnn.Ops;
using Lrnn.Torch;

namespace Lrnn.Losses;

/// <summary>
/// "fused_linear": the head's projection and the cross-entropy as one C++ autograd node that never holds the (N, V)
/// logits (<c>ops.fused_linear_cross_entropy</c>): chunks of tokens, one log-sum-exp kept per token,
/// logits recomputed in backward, dW accumulated in float32. Bias, the normalized head's scale, tied weights and
/// split vocabularies (no concatenation of the blocks) are all supported; the logits cannot be returned.
/// </summary>
public sealed class FusedLinearCrossEntropy(long chunkSize) : CrossEntropyImplementation
{
    /// <summary>Tokens per chunk; 0 picks Liger's size.</summary>
    public long ChunkSize { get; } = chunkSize;

    public override string Name => LossFunctions.FusedLinear;
    public override bool MaterialisesLogits => false;

    public override TokenLosses Compute(IVocabularyProjection head, Tensor hidden, Tensor labels, long ignoreIndex, double labelSmoothing,
        out Tensor? logits)
    {
        logits = null;
        using var scale = head.LogitScale();
        var (nll, lse) = ops.fused_linear_cross_entropy(hidden, head.WeightBlocks, labels, head.OutputBias, scale,
            ignoreIndex, labelSmoothing, chunk_size: ChunkSize);
        return new TokenLosses(nll, lse);
    }
}
