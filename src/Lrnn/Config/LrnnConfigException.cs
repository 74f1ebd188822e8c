namespace Lrnn.Config;

/// <summary>A configuration that cannot describe a model. The message says which field is wrong and why.</summary>
public sealed class LrnnConfigException : Exception
{
    public LrnnConfigException(string message) : base(message) { }
}
