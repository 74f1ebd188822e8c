using Lrnn.Torch;

namespace Lrnn.Losses;

/// <summary>
/// What a loss needs of an output head: the linear map <c>logits = scale ⊙ (h·Wᵀ) + bias</c> from (prepared) hidden
/// states to the vocabulary. Every head implements it, which lets every loss implementation (the fused one included)
/// serve every head without knowing the head classes.
/// </summary>
public interface IVocabularyProjection
{
    /// <summary>The output matrix (V, H) as its row blocks in vocabulary order (one block unless the vocabulary is split).</summary>
    IReadOnlyList<Tensor> WeightBlocks { get; }

    /// <summary>The logits' bias (V), or null.</summary>
    Tensor? OutputBias { get; }

    /// <summary>A new tensor (V) multiplying the logits before the bias (differentiable in the head's parameters), or null.</summary>
    Tensor? LogitScale();

    /// <summary>Prepared hidden states (..., H) → logits (..., V) in the parameters' dtype.</summary>
    Tensor Project(Tensor hidden);
}
