namespace Lrnn.PyTorchCheckpoints;

/// <summary>A PyTorch checkpoint is malformed, of a kind this reader does not load, or exceeds a limit; the message names the file and the problem.</summary>
public class PyTorchCheckpointException : Exception
{
    public PyTorchCheckpointException(string path, string detail, Exception? inner = null)
        : base($"{path}: {detail}", inner)
    {
        Path = path;
    }

    /// <summary>The file at fault.</summary>
    public string Path { get; }
}

/// <summary>
/// The checkpoint's pickle names a global (a Python function or class) that <c>torch.save</c> never writes for a
/// state dict, such as <c>os.system</c> or <c>builtins.eval</c>. Python's unpickler would import and call it, which
/// runs arbitrary code; this reader refuses the file instead.
/// </summary>
public sealed class PickleGlobalRefusedException : PyTorchCheckpointException
{
    public PickleGlobalRefusedException(string path, string global, string detail)
        : base(path, detail)
    {
        Global = global;
    }

    /// <summary>The refused global as <c>module.name</c>, e.g. <c>os.system</c>.</summary>
    public string Global { get; }
}
