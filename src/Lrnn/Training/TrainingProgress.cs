using System.Diagnostics;
using System.Globalization;

namespace Lrnn.Training;

/// <summary>
/// A one-line progress bar with loss, tokens/s and ETA, redrawn in place on an interactive terminal. When the output
/// is redirected (a log file, CI) it draws nothing and the <see cref="Trainer"/> logs plain lines instead.
/// </summary>
public sealed class TrainingProgress
{
    private readonly TextWriter _out;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly long _firstStep;
    private readonly long _firstTokens;

    public TrainingProgress(long firstStep, long firstTokens, TextWriter? output = null, bool? interactive = null)
    {
        _out = output ?? Console.Out;
        Interactive = interactive ?? (!Console.IsOutputRedirected && output is null);
        _firstStep = firstStep;
        _firstTokens = firstTokens;
    }

    public bool Interactive { get; }

    /// <summary>Tokens per second since this run (or resume) started.</summary>
    public double TokensPerSecond(long tokensSeen) => (tokensSeen - _firstTokens) / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);

    /// <summary>Time left at the current pace.</summary>
    public TimeSpan Eta(long step, long maxSteps)
    {
        var done = step - _firstStep;
        return done <= 0 ? TimeSpan.Zero : _clock.Elapsed / done * (maxSteps - step);
    }

    public void Update(long step, long maxSteps, double loss, double learningRate, long tokensSeen)
    {
        if (!Interactive) return;
        const int width = 30;
        var filled = (int)(width * step / Math.Max(1, maxSteps));
        var bar = new string('█', filled) + new string('░', width - filled);
        _out.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{bar} {step}/{maxSteps} loss {loss:F3} lr {learningRate:E1} {TokensPerSecond(tokensSeen) / 1000:F1}k tok/s ETA {Eta(step, maxSteps):hh\\:mm\\:ss}  "));
        _out.Flush();
    }

    /// <summary>Ends the bar's line, so that the next log line starts on its own.</summary>
    public void Break()
    {
        if (Interactive) _out.WriteLine();
    }
}
