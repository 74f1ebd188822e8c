namespace Lrnn.Torch.Modules;

/// <summary>A strict <see cref="Module.load_state_dict"/> found missing, unexpected or shape-mismatched keys.</summary>
public sealed class StateDictMismatchException : Exception
{
    public StateDictMismatchException(string moduleName, LoadStateDictResult result)
        : base($"Error(s) loading the state_dict of {moduleName}:{Environment.NewLine}{result}") => Result = result;

    public LoadStateDictResult Result { get; }
    public IReadOnlyList<string> Missing => Result.Missing;
    public IReadOnlyList<string> Unexpected => Result.Unexpected;
    public IReadOnlyList<ShapeMismatch> Mismatched => Result.Mismatched;
}
