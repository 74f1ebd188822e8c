using Lrnn.Torch;

namespace Lrnn.Heads;

/// <summary>
/// nGPT's head (OLMo-core's NormalizedLMHead): <c>logits = (sz·√d) ⊙ h·Wᵀ</c> with the rows of W kept at unit L2 norm
/// by <see cref="NormalizeMatrices"/>: the constructor calls it once and <see cref="AfterOptimizerStep"/> after every
/// optimizer step (the trainer does this through <c>LrnnLMHeadModel.AfterOptimizerStep</c>; a hand-written
/// loop must call that after each <c>optimizer.step()</c>, or the rows drift off the sphere). A tied head shares W with
/// the embedding, so the embedding's rows are renormalised with it. sz (V) starts
/// at 1/√d, so the effective scale starts at 1. No bias and no norm. Keys: <c>weight</c>, <c>sz</c>. Unlike OLMo-core,
/// every loss implementation works with it, the fused one included.
/// </summary>
public sealed class NormalizedLMHead : LanguageModelHead
{
    private readonly double _sqrtD;

    public NormalizedLMHead(long dModel, long vocabSize, ScalarType? dtype = null, Device? device = null) : base(dModel, vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dModel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        _sqrtD = Math.Sqrt(dModel);
        torch.nn.init.kaiming_uniform_(RegisterParameter("weight", torch.empty([vocabSize, dModel], dtype, device)), Math.Sqrt(5));
        RegisterParameter("sz", torch.full([vocabSize], 1 / _sqrtD, dtype, device));
        NormalizeMatrices();
    }

    public override Tensor weight => GetParameter("weight")!;

    /// <summary>(V): the learnt logit scale, stored divided by √d (nGPT's sz_init_scaling).</summary>
    public Tensor sz => GetParameter("sz")!;

    public override IReadOnlyList<Tensor> WeightBlocks => [weight];

    public override Tensor? LogitScale() => sz * _sqrtD;

    /// <summary>Renormalises W (<see cref="NormalizeMatrices"/>).</summary>
    public override void AfterOptimizerStep() => NormalizeMatrices();

    /// <summary>W ← W / ‖W‖₂ per vocabulary row, the norm computed in float32 (OLMo-core's l2_normalize).</summary>
    public void NormalizeMatrices()
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var wide = weight.dtype == ScalarType.Float64 ? weight : weight.to(ScalarType.Float32);
        var normalized = wide / wide.norm(2, 1, keepdim: true);
        weight.copy_(normalized);
    }

    public override string ToString() => $"NormalizedLMHead(d_model={DModel}, vocab_size={VocabSize})";
}
