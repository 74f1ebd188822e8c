using Lrnn.Torch.Native;

namespace Lrnn.Torch.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, Nesterov momentum and (coupled, L2) weight decay,
/// libtorch's torch::optim::SGD. Per step: <c>d = g + wd·p</c>; with momentum <c>b ← μb + (1−dampening)d</c>
/// (<c>b = d</c> on the first step) and <c>d = b</c>, or <c>d = d + μb</c> with Nesterov; <c>p ← p − lr·d</c>.
/// </summary>
public sealed class SGD : Optimizer
{
    /// <summary>Parameters that share options; an option left null takes the optimizer's default.</summary>
    public sealed class ParamGroup(IEnumerable<Tensor> parameters) : ParamGroupOptions(parameters)
    {
        public double? momentum { get; init; }
        public double? dampening { get; init; }
        public bool? nesterov { get; init; }
    }

    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0,
        bool nesterov = false)
        : this(new[] { new ParamGroup(parameters) }, lr, momentum, dampening, weight_decay, nesterov)
    {
    }

    public unsafe SGD(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0,
        double weight_decay = 0, bool nesterov = false)
        : base(NativeMethods.lrnn_sgd_new(lr, momentum, dampening, weight_decay, nesterov ? 1 : 0))
    {
        ArgumentNullException.ThrowIfNull(groups);
        foreach (var g in groups)
        {
            var groupLr = g.lr ?? lr;
            var groupMomentum = g.momentum ?? momentum;
            var groupDampening = g.dampening ?? dampening;
            var groupDecay = g.weight_decay ?? weight_decay;
            var groupNesterov = g.nesterov ?? nesterov;
            AddGroup(g.parameters, (opt, p, n) => NativeMethods.lrnn_sgd_add_param_group(opt, p, n, groupLr, groupMomentum,
                groupDampening, groupDecay, groupNesterov ? 1 : 0));
        }
        RequireGroups(nameof(groups));
    }
}
