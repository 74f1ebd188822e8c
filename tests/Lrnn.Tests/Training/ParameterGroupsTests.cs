using Lrnn.Models;
using Lrnn.Training;
using Xunit;
using static Lrnn.Tests.Training.TrainingTestData;

namespace Lrnn.Tests.Training;

public sealed class ParameterGroupsTests
{
    [Fact]
    public void DecayGoesToMatricesOnlyNotToNormsBiasesOrEmbeddings()
    {
        using var model = new LrnnLMHeadModel(ModelConfig(16));
        var names = model.named_parameters().ToDictionary(p => p.Parameter, p => p.Name, ReferenceEqualityComparer.Instance);
        var groups = ParameterGroups.For(model, weightDecay: 0.1, decayOnlyMatrices: true);
        Assert.Equal([0.1, 0.0], groups.Select(g => g.weight_decay));
        var decayed = groups[0].parameters.Select(p => names[p]).ToList();
        var exempt = groups[1].parameters.Select(p => names[p]).ToList();

        Assert.Equal(names.Count, decayed.Count + exempt.Count);
        Assert.Contains("backbone.layers.1.mixer.out_proj.weight", decayed);
        Assert.Contains("backbone.layers.0.mixer.B_re", decayed);
        Assert.Contains("backbone.embedding.bytes.weight", exempt);                      // tied to lm_head.bytes.weight
        Assert.Contains("backbone.embedding.special.weight", exempt);
        Assert.Contains("backbone.layers.1.mixer.out_proj.bias", exempt);
        Assert.Contains("backbone.layers.0.norm.weight", exempt);
        Assert.Contains("backbone.layers.0.mixer.nu_log", exempt);
        Assert.DoesNotContain(decayed, n => n.Contains("embedding", StringComparison.Ordinal) || n.Contains("norm", StringComparison.Ordinal));

        var single = ParameterGroups.For(model, weightDecay: 0.1, decayOnlyMatrices: false);
        Assert.Equal(names.Count, Assert.Single(single).parameters.Count);
    }
}
