using System.Globalization;
using Newtonsoft.Json;

namespace Lrnn.Config;

/// <summary>
/// Writes doubles as Python's json module does (<c>1e-05</c>, <c>10000.0</c>) rather than .NET's <c>1E-05</c>, so a
/// config.json we write is byte-identical to lrnnx's for the same values. Reading is Newtonsoft's.
/// </summary>
internal sealed class PythonFloatConverter : JsonConverter<double>
{
    public override bool CanRead => false;

    public override double ReadJson(JsonReader reader, Type objectType, double existingValue, bool hasExistingValue, JsonSerializer serializer) =>
        throw new NotSupportedException();

    public override void WriteJson(JsonWriter writer, double value, JsonSerializer serializer)
    {
        if (!double.IsFinite(value))
        {
            writer.WriteRawValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
            return;
        }
        var text = value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
        // Python's repr keeps a two-digit exponent (1e-05) and marks integral values as floats (10000.0).
        var e = text.IndexOf('e');
        if (e >= 0)
        {
            var sign = text[e + 1];
            var digits = text[(e + 2)..];
            text = text[..(e + 1)] + sign + (digits.Length < 2 ? "0" + digits : digits);
        }
        else if (!text.Contains('.'))
        {
            text += ".0";
        }
        writer.WriteRawValue(text);
    }
}
