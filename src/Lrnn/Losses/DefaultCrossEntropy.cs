using Lrnn.Torch;

namespace Lrnn.Losses;

/// <summary>"default": the (N, V) logits are materialised and the cross-entropy runs on them in float32 (OLMo-core's default).</summary>
public sealed class DefaultCrossEntropy : CrossEntropyImplementation
{
    public override string Name => LossFunctions.Default;
    public override bool MaterialisesLogits => true;

    public override TokenLosses Compute(IVocabularyProjection head, Tensor hidden, Tensor labels, long ignoreIndex, double labelSmoothing,
        out Tensor? logits)
    {
        logits = head.Project(hidden);                                                  // (N, V)
        return FromLogits(logits, labels, ignoreIndex, labelSmoothing);
    }
}
