using System.CommandLine;
using System.CommandLine.Parsing;
using Lrnn.Torch;

namespace Lrnn.Examples;

/// <summary>Options and checks the examples' command lines share (System.CommandLine).</summary>
internal static class CommandLineOptions
{
    /// <summary>--device cpu|cuda|cuda:N, parsed by <see cref="Device.Parse"/>; a bad value is a parse error, not an exception.</summary>
    public static Option<Device?> Device(string description) => new("--device")
    {
        Description = description,
        HelpName = "cpu|cuda|cuda:N",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            try
            {
                return Lrnn.Torch.Device.Parse(text);
            }
            catch (FormatException e)
            {
                result.AddError(e.Message);
                return null;
            }
        },
    };

    /// <summary>Adds a check that the option's value (when given) satisfies <paramref name="valid"/>; else the error names the rule.</summary>
    public static Option<T> Must<T>(this Option<T> option, Func<T, bool> valid, string rule)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.GetValueOrDefault<T>() is var value && !valid(value))
                result.AddError($"{option.Name} {value}: {rule}");
        });
        return option;
    }
}
