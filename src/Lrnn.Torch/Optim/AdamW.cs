using Lrnn.Torch.Native;

namespace Lrnn.Torch.Optim;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter), libtorch's torch::optim::AdamW. Per step t,
/// for each parameter p with gradient g:
/// <c>p ← p·(1 − lr·wd)</c>; <c>m ← β₁m + (1−β₁)g</c>; <c>v ← β₂v + (1−β₂)g²</c>;
/// <c>p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps)</c>.
/// </summary>
public sealed class AdamW : Optimizer
{
    /// <summary>Parameters that share options; an option left null takes the optimizer's default.</summary>
    public sealed class ParamGroup(IEnumerable<Tensor> parameters) : ParamGroupOptions(parameters)
    {
        public (double beta1, double beta2)? betas { get; init; }
        public double? eps { get; init; }
    }

    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double beta1, double beta2)? betas = null,
        double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false)
        : this(new[] { new ParamGroup(parameters) }, lr, betas, eps, weight_decay, amsgrad)
    {
    }

    public unsafe AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, (double beta1, double beta2)? betas = null,
        double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false)
        : base(NativeMethods.lrnn_adamw_new(lr, (betas ?? DefaultBetas).beta1, (betas ?? DefaultBetas).beta2, eps, weight_decay,
            amsgrad ? 1 : 0))
    {
        ArgumentNullException.ThrowIfNull(groups);
        foreach (var g in groups)
        {
            var (beta1, beta2) = g.betas ?? betas ?? DefaultBetas;
            var groupLr = g.lr ?? lr;
            var groupEps = g.eps ?? eps;
            var groupDecay = g.weight_decay ?? weight_decay;
            AddGroup(g.parameters, (opt, p, n) =>
                NativeMethods.lrnn_adamw_add_param_group(opt, p, n, groupLr, beta1, beta2, groupEps, groupDecay, amsgrad ? 1 : 0));
        }
        RequireGroups(nameof(groups));
    }

    private static readonly (double, double) DefaultBetas = (0.9, 0.999);
}
