namespace Lrnn.Torch.Modules;

/// <summary>
/// In training mode zeroes each element with probability p and scales the survivors by 1/(1−p), so the
/// expectation is unchanged; in eval mode it is the identity (returning a new handle on the input).
/// </summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    public Dropout(double p = 0.5)
    {
        if (p is < 0 or > 1 || double.IsNaN(p))
            throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be within [0, 1].");
        this.p = p;
    }

    public double p { get; }

    public override Tensor forward(Tensor input) => torch.nn.functional.dropout(input, p, training);

    public override string ToString() => $"Dropout(p={p})";
}
