namespace Lrnn.SafeTensors;

/// <summary>A safetensors file or index broke a rule of the format; the message names the file, the rule and the values.</summary>
public class SafeTensorsException : Exception
{
    public SafeTensorsException(SafeTensorsRule rule, string path, string detail, Exception? inner = null)
        : base($"{path}: {rule}: {detail}", inner)
    {
        Rule = rule;
        Path = path;
    }

    public SafeTensorsRule Rule { get; }

    /// <summary>The file at fault.</summary>
    public string Path { get; }
}

/// <summary>A .safetensors file (read or about to be written) breaks a rule of the format.</summary>
public sealed class SafeTensorsFormatException : SafeTensorsException
{
    public SafeTensorsFormatException(SafeTensorsRule rule, string path, string detail, Exception? inner = null)
        : base(rule, path, detail, inner) { }
}

/// <summary>A sharded checkpoint's index (<c>model.safetensors.index.json</c>) is invalid or points outside its folder.</summary>
public sealed class SafeTensorsIndexException : SafeTensorsException
{
    public SafeTensorsIndexException(SafeTensorsRule rule, string path, string detail, Exception? inner = null)
        : base(rule, path, detail, inner) { }
}
