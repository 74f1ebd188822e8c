using Lrnn.Models;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model;

/// <summary>
/// Hugging Face's test_state_equivalency for a whole language model: the logits of Prefill(prompt) and of the Steps
/// that follow equal those of one Forward over the prompt and the stepped tokens.
/// </summary>
internal static class StateEquivalence
{
    public static void AssertPrefillThenStepsMatchForward(LrnnLMHeadModel model, Device device, long prompt, long steps,
        int seed, string what, long batch = 2, double atol = 1e-4)
    {
        using var scope = torch.NewDisposeScope();
        var ids = Ids(new Random(seed), batch, prompt + steps, model.Config.VocabSize, device);
        var full = model.Forward(ids);                                                    // (B, L, V_pad)
        using var cache = model.AllocateInferenceCache(batch, prompt + steps);
        var prefill = model.Prefill(ids.narrow(1, 0, prompt), cache);                   // (B, 1, V_pad)
        Numerics.AssertClose(Doubles(full.narrow(1, prompt - 1, 1)), Doubles(prefill), atol, what: $"{what}: prefill logits");
        for (var t = prompt; t < prompt + steps; t++)
            Numerics.AssertClose(Doubles(full.narrow(1, t, 1)), Doubles(model.Step(ids.narrow(1, t, 1), cache)), atol,
                what: $"{what}: step {t} logits");
        Assert.Equal(prompt + steps, cache.Position);
    }
}
