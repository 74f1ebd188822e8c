using Lrnn.Torch;
using Lrnn.Torch.Modules;
using Lrnn.Torch.Optim;

namespace Lrnn.Training;

/// <summary>The AdamW parameter groups of a model: weight decay on matrices, optionally none on norms, biases and embeddings.</summary>
public static class ParameterGroups
{
    /// <summary>
    /// With <paramref name="decayOnlyMatrices"/>: the weights of rank ≥ 2 that are not embeddings get
    /// <paramref name="weightDecay"/>, everything else (norm scales, biases, 1-d recurrence parameters, the embedding
    /// table and the lm_head tied to it) gets none. Otherwise one group with decay. Empty groups are left out.
    /// </summary>
    public static IReadOnlyList<AdamW.ParamGroup> For(Module model, double weightDecay, bool decayOnlyMatrices)
    {
        var parameters = model.named_parameters().Where(p => p.Parameter.requires_grad).ToList();
        if (!decayOnlyMatrices) return [new AdamW.ParamGroup(parameters.Select(p => p.Parameter)) { weight_decay = weightDecay }];
        var decay = parameters.Where(p => Decays(p.Name, p.Parameter)).Select(p => p.Parameter).ToList();
        var noDecay = parameters.Where(p => !Decays(p.Name, p.Parameter)).Select(p => p.Parameter).ToList();
        var groups = new List<AdamW.ParamGroup>();
        if (decay.Count > 0) groups.Add(new AdamW.ParamGroup(decay) { weight_decay = weightDecay });
        if (noDecay.Count > 0) groups.Add(new AdamW.ParamGroup(noDecay) { weight_decay = 0 });
        return groups;
    }

    private static bool Decays(string name, Tensor parameter) =>
        parameter.dim() >= 2 && !name.Contains("embedding", StringComparison.Ordinal);
}
