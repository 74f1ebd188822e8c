namespace Lrnn.Torch.Modules;

/// <summary>A state_dict key whose source tensor has another shape than the module's tensor.</summary>
public sealed record ShapeMismatch(string Name, long[] Expected, long[] Actual)
{
    public override string ToString() => $"{Name}: expected {Tensor.Dims(Expected)}, got {Tensor.Dims(Actual)}";
}
