using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Heads;

/// <summary>
/// The default head, a linear map (OLMo-core's LMHead): an optional norm, then <c>logits = h·Wᵀ (+ b)</c>. Keys: <c>weight</c>
/// (lrnnx's <c>lm_head.weight</c>, kept rather than OLMo-core's <c>w_out.weight</c> so that a model without a head
/// config is exactly lrnnx's), <c>bias</c>, <c>norm.*</c>. Initialised as PyTorch's Linear (kaiming_uniform, a = √5),
/// drawing the same random numbers, with the bias zeroed.
/// </summary>
public sealed class LinearLMHead : LanguageModelHead
{
    public LinearLMHead(long dModel, long vocabSize, bool bias = false, Module<Tensor, Tensor>? norm = null, ScalarType? dtype = null, Device? device = null)
        : base(dModel, vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dModel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        torch.nn.init.kaiming_uniform_(RegisterParameter("weight", torch.empty([vocabSize, dModel], dtype, device)), Math.Sqrt(5));
        if (bias) RegisterParameter("bias", torch.zeros([vocabSize], dtype, device));
        if (norm is not null) this.norm = RegisterModule("norm", norm);
    }

    /// <summary>(V, H). Tying replaces it with the embedding's tensor (SetParameter, see LrnnLMHeadModel.TieWeights).</summary>
    public override Tensor weight => GetParameter("weight")!;

    /// <summary>(V), or null.</summary>
    public Tensor? bias => GetParameter("bias");

    /// <summary>The norm applied to the hidden states first (OLMo-core's layer_norm), or null.</summary>
    public Module<Tensor, Tensor>? norm { get; }

    public override IReadOnlyList<Tensor> WeightBlocks => [weight];
    public override Tensor? OutputBias => bias;

    protected override Tensor PrepareHidden(Tensor hidden) => norm is null ? hidden.alias() : norm.call(hidden);

    public override string ToString() => $"LinearLMHead(d_model={DModel}, vocab_size={VocabSize}, bias={bias is not null}, norm={norm is not null})";
}
