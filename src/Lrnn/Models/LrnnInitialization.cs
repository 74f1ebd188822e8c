using Lrnn.Config;
using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Models;

/// <summary>
/// lrnnx's effective initialisation of a language model. lrnnx applies <c>_init_weights</c>
/// (lrnnx/architectures/language_model.py) twice: <c>LRNNModel.__init__</c> with n_residuals_per_layer = 2 when the
/// blocks have an MLP, then <c>LRNNLMHeadModel.__init__</c> with the default 1; the second pass re-draws the residual
/// projections, so it decides the outcome:
/// <list type="bullet">
/// <item>every Linear bias is zeroed (attention's included; mixers keep what they draw otherwise);</item>
/// <item>every Embedding weight ~ N(0, initializer_range²);</item>
/// <item>with rescale_prenorm_residual, every <c>out_proj.weight</c> and <c>fc2.weight</c> (the projections that
/// write into the residual stream) is re-drawn from kaiming_uniform(a=√5) = U(±1/√fan_in) and divided by
/// √n_layer (GPT-2's scheme; lrnnx's final factor is 1/√n_layer whether or not the blocks have an MLP).</item>
/// </list>
/// </summary>
internal static class LrnnInitialization
{
    private static readonly string[] s_residualProjections = ["out_proj", "fc2"];

    public static void Apply(Module model, int nLayer, InitializerConfig cfg)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, module) in model.named_modules())
        {
            switch (module)
            {
                case Linear linear:
                    linear.bias?.zero_();
                    if (cfg.RescalePrenormResidual && s_residualProjections.Contains(LastComponent(name)))
                    {
                        var bound = 1 / Math.Sqrt(linear.weight.size(1)) / Math.Sqrt(nLayer);
                        linear.weight.uniform_(-bound, bound);
                    }
                    break;
                case Embedding embedding:
                    embedding.weight.normal_(0, cfg.InitializerRange);
                    break;
            }
        }
    }

    private static string LastComponent(string dottedName) => dottedName[(dottedName.LastIndexOf('.') + 1)..];
}
