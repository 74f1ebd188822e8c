using Lrnn.Config;
using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Modules;

/// <summary>
/// Token embeddings kept as one table per named part of the vocabulary (d9d's SplitTokenEmbeddings): keys
/// <c>&lt;split&gt;.weight</c>, global ids laid out as <see cref="SplitVocabulary"/> says (the same layout as
/// the split head's labels, Lrnn.Heads.SplitLMHead). An id outside every split is an error (d9d silently embeds it as zeros).
/// A split can be frozen, e.g. to train only newly added special tokens.
/// </summary>
public sealed class SplitTokenEmbeddings : Module<Tensor, Tensor>
{
    private readonly Embedding[] _splits;

    public SplitTokenEmbeddings(SplitVocabulary vocabulary, long dModel, ScalarType? dtype = null, Device? device = null)
    {
        Vocabulary = vocabulary;
        DModel = dModel;
        _splits = vocabulary.Parts.Select(p => RegisterModule(p.Name, new Embedding(p.Size, dModel, dtype: dtype, device: device))).ToArray();
    }

    public SplitVocabulary Vocabulary { get; }
    public long DModel { get; }

    /// <summary>The table of split <paramref name="name"/>: (size, D).</summary>
    public Embedding Split(string name) => (Embedding)(GetSubmodule(name) ?? throw new KeyNotFoundException($"no split named '{name}' (splits: {string.Join(", ", Vocabulary.Order)})"));

    /// <summary>Stops (or resumes) training split <paramref name="name"/>: its table gets no gradient.</summary>
    public void Freeze(string name, bool frozen = true) => Split(name).weight.requires_grad = !frozen;

    /// <summary>
    /// Global ids (...) → (..., D). Each split looks up its own ids (shifted to its range, the others pointed at row 0 and masked out), so no table is concatenated and a frozen split's rows get no gradient.
    /// </summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        using (var outside = input.lt(0).logical_or(input.ge(Vocabulary.Size)))
        using (var any = outside.sum())
            if (any.item<long>() > 0)
                throw new ArgumentOutOfRangeException(nameof(input), $"token ids must lie in [0, {Vocabulary.Size}) (the splits {string.Join(", ", Vocabulary.Order)}); some do not");
        Tensor? sum = null;
        for (var k = 0; k < _splits.Length; k++)
        {
            var part = Vocabulary.Parts[k];
            var local = input - part.Start;
            var inside = local.ge(0L).logical_and(local.lt(part.Size));                    // (...)
            var rows = _splits[k].call(local.masked_fill(inside.logical_not(), 0L));         // (..., D)
            var contribution = torch.where(inside.unsqueeze(-1), rows, 0.0);
            sum = sum is null ? contribution : sum + contribution;
        }
        return sum!.MoveToOuterDisposeScope();
    }

    public override string ToString() =>
        $"SplitTokenEmbeddings(d_model={DModel}, splits=[{string.Join(", ", Vocabulary.Parts.Select(p => $"{p.Name}: {p.Size}"))}])";
}
