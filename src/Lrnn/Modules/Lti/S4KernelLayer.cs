using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Modules.Lti;

/// <summary>
/// lrnnx's <c>FFTConvS4</c> submodule ("layer") of S4/S4D. It has no weights of its own: its <c>kernel</c>
/// (<see cref="S4KernelMirror"/>) re-registers the mixer's SSM parameters, so that every one of them appears twice
/// in the state dict (<c>A_real</c> and <c>layer.kernel.A_real</c>), as in lrnnx's checkpoints.
/// </summary>
public sealed class S4KernelLayer : Module
{
    public S4KernelLayer(S4KernelMirror kernel) => this.kernel = RegisterModule("kernel", kernel);

    public S4KernelMirror kernel { get; }
}

/// <summary>
/// lrnnx's <c>S4Kernel</c>/<c>S4DKernel</c> as far as the state dict sees it: the mixer's SSM parameters, tied
/// (the same tensors, under lrnnx's order A_real, A_imag, B, C, P, inv_dt) and, for S4, the int64 buffer
/// <c>l_kernel</c>: the length C̃ was set up for.
/// </summary>
public sealed class S4KernelMirror : Module
{
    public S4KernelMirror(IEnumerable<(string Name, Tensor Parameter)> parameters, Tensor? lKernel)
    {
        foreach (var (name, parameter) in parameters) SetParameter(name, parameter);
        if (lKernel is not null) l_kernel = RegisterBuffer("l_kernel", lKernel);
    }

    /// <summary>S4 only: the length L for which C holds C̃ = (I − Ā^L)ᵀC; 0 while C is still C.</summary>
    public Tensor? l_kernel { get; }
}
