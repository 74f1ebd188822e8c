using System.Globalization;
using Lrnn.Training;
using Microsoft.Extensions.Logging;
using Spectre.Console;

/// <summary>
/// The terminal side of a training run: a Spectre.Console progress bar fed by the trainer's
/// <see cref="IProgress{T}"/> of <see cref="TrainingStatus"/>, and log lines written through Spectre so they print
/// above the live bar instead of through it. Only on an interactive terminal; redirected output gets the trainer's
/// plain log lines.
/// </summary>
internal static class SpectreTrainingProgress
{
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="train"/> under a live progress bar and returns its result.</summary>
    public static T Run<T>(long maxSteps, Func<IProgress<TrainingStatus>, T> train) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new ProgressBarColumn(), new PercentageColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: maxSteps);
                return train(new Reporter(task));
            });

    private sealed class Reporter(ProgressTask task) : IProgress<TrainingStatus>
    {
        public void Report(TrainingStatus status)
        {
            task.Value = status.Step;
            var validation = status.ValidationLoss is { } v ? string.Create(CultureInfo.InvariantCulture, $" val {v:F3}") : "";
            task.Description = string.Create(CultureInfo.InvariantCulture,
                $"step {status.Step}/{status.MaxSteps} loss {status.Loss:F3}{validation} lr {status.LearningRate:E1} " +
                $"{status.TokensPerSecond / 1000:F1}k tok/s ETA {status.Eta:hh\\:mm\\:ss}");
        }
    }

    /// <summary>Log lines through Spectre's console, which keeps a live progress bar below them.</summary>
    public sealed class LoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger();

        public void Dispose()
        {
        }

        private sealed class Logger : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return;
                var colour = logLevel >= LogLevel.Warning ? "yellow" : "grey";
                AnsiConsole.MarkupLine($"[{colour}]{DateTime.Now:HH:mm:ss}[/] {Markup.Escape(formatter(state, exception))}");
                if (exception is not null) AnsiConsole.WriteException(exception);
            }
        }
    }
}
