using Lrnn.Config;
using Lrnn.Losses;
using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Heads;

/// <summary>Makes the head an <see cref="LMHeadConfig"/> describes, with its loss.</summary>
public static class LanguageModelHeads
{
    /// <summary>
    /// Builds the head with its loss. <paramref name="createNorm"/> makes the "layer_norm" (the model's norm type);
    /// a split head needs the vocabulary it shares with its embeddings.
    /// </summary>
    public static LanguageModelHead Build(LMHeadConfig config, long dModel, long vocabSize, Func<Module<Tensor, Tensor>> createNorm,
        ScalarType? dtype = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = config.Problems(vocabSize).ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems));
        LanguageModelHead head = config.Name switch
        {
            LMHeadConfig.Normalized => new NormalizedLMHead(dModel, vocabSize, dtype, device),
            LMHeadConfig.Split => new SplitLMHead(dModel, config.Vocabulary()!, dtype, device),
            _ => new LinearLMHead(dModel, vocabSize, config.Bias, config.LayerNorm ? createNorm() : null, dtype, device),
        };
        head.Loss = LossFunctions.Build(config.Loss);
        return head;
    }
}
