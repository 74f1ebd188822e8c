using System.Globalization;

namespace Lrnn.Torch;

/// <summary>Device kinds; values are c10::DeviceType's.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>A device such as <c>cpu</c> or <c>cuda:0</c>. Index −1 means "the current device of that kind".</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);

    public static Device CUDA(int index = 0) => new(DeviceType.CUDA, index);

    /// <summary>Parses "cpu", "cuda", "cuda:1".</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split(':');
        var type = parts[0] switch
        {
            "cpu" => DeviceType.CPU,
            "cuda" => DeviceType.CUDA,
            _ => throw new FormatException($"Unknown device '{text}': expected cpu, cuda or cuda:N."),
        };
        if (parts.Length == 1) return new Device(type);
        if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return new Device(type, index);
        throw new FormatException($"Bad device '{text}': expected cpu, cuda or cuda:N.");
    }

    public static implicit operator Device(string text) => Parse(text);

    public override string ToString() => (Type == DeviceType.CPU ? "cpu" : "cuda") + (Index >= 0 ? ":" + Index : "");
}
