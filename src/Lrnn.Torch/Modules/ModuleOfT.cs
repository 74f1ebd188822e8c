namespace Lrnn.Torch.Modules;

/// <summary>A module with a forward computation from <typeparamref name="TIn"/> to <typeparamref name="TOut"/>.</summary>
public abstract class Module<TIn, TOut> : Module
{
    public abstract TOut forward(TIn input);

    /// <summary>Runs <see cref="forward"/> (PyTorch's <c>module(x)</c>).</summary>
    public TOut call(TIn input) => forward(input);
}
