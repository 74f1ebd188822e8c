using Lrnn.Torch;
using Lrnn.Torch.Modules;
using static Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Modules;

/// <summary>
/// lrnnx's (mamba_ssm's) GatedMLP: <c>y, g = fc1(x).chunk(2)</c> (value first, then gate), <c>out = fc2(y · silu(g))</c>,
/// no biases, hidden size rounded up to a multiple of 128.
/// </summary>
public sealed class GatedMlp : Module<Tensor, Tensor>
{
    public const long HiddenMultiple = 128;

    public GatedMlp(long dModel, long dIntermediate, ScalarType? dtype = null, Device? device = null)
    {
        if (dIntermediate <= 0) throw new ArgumentException($"d_intermediate must be positive, got {dIntermediate}", nameof(dIntermediate));
        HiddenSize = (dIntermediate + HiddenMultiple - 1) / HiddenMultiple * HiddenMultiple;
        fc1 = RegisterModule("fc1", new Linear(dModel, 2 * HiddenSize, bias: false, dtype, device));
        fc2 = RegisterModule("fc2", new Linear(HiddenSize, dModel, bias: false, dtype, device));
    }

    /// <summary>The rounded hidden size.</summary>
    public long HiddenSize { get; }

    // Named as lrnnx's attributes: these are the state-dict keys.
    public Linear fc1 { get; }
    public Linear fc2 { get; }

    /// <summary>x (..., D) → (..., D).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var projected = fc1.call(x);                                                    // (..., 2·hidden)
        var value = projected.narrow(-1, 0, HiddenSize);
        var gate = projected.narrow(-1, HiddenSize, HiddenSize);
        return fc2.call(value.mul(silu(gate))).MoveToOuterDisposeScope();
    }
}
