using Lrnn.Config;
using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Heads;

/// <summary>
/// A head whose vocabulary is made of named parts (d9d's SplitLanguageModellingHead): one bias-free Linear per split,
/// keys <c>&lt;split&gt;.weight</c> (in the model <c>lm_head.&lt;split&gt;.weight</c>, beside the embedding's
/// <c>backbone.embedding.&lt;split&gt;.weight</c>). Labels are global ids in <see cref="Vocabulary"/>'s order.
/// Unlike d9d, the fused loss takes the blocks as they are (no V×H concatenation per call), every loss and reduction
/// works (d9d returns per-token losses only), each split can be tied to the embedding's, and a split can be frozen.
/// </summary>
public sealed class SplitLMHead : LanguageModelHead
{
    private readonly Linear[] _splits;

    public SplitLMHead(long dModel, SplitVocabulary vocabulary, ScalarType? dtype = null, Device? device = null)
        : base(dModel, vocabulary.Size)
    {
        Vocabulary = vocabulary;
        _splits = vocabulary.Parts.Select(p => RegisterModule(p.Name, new Linear(dModel, p.Size, bias: false, dtype, device))).ToArray();
    }

    public SplitVocabulary Vocabulary { get; }

    /// <summary>The Linear of split <paramref name="name"/>: (size, H).</summary>
    public Linear Split(string name) => (Linear)(GetSubmodule(name) ?? throw new KeyNotFoundException($"no split named '{name}' (splits: {string.Join(", ", Vocabulary.Order)})"));

    public override IReadOnlyList<Tensor> WeightBlocks => _splits.Select(s => s.weight).ToArray();

    /// <summary>Stops (or resumes) training split <paramref name="name"/>: its weight gets no gradient.</summary>
    public void Freeze(string name, bool frozen = true) => Split(name).weight.requires_grad = !frozen;

    public override string ToString() =>
        $"SplitLMHead(d_model={DModel}, splits=[{string.Join(", ", Vocabulary.Parts.Select(p => $"{p.Name}: {p.Size}"))}])";
}
