using Lrnn.Training;
using ScottPlot;

namespace Lrnn.Plotting;

/// <summary>
/// Draws the training and validation losses of a <see cref="TrainingHistory"/> against the step as a PNG (ScottPlot).
/// <see cref="SaveBeside"/> hooks it to a <see cref="Trainer"/>, so every checkpoint gets an up-to-date curve.
/// </summary>
public static class LossCurve
{
    public const string FileName = "loss.png";

    /// <summary>
    /// Writes the curve of <paramref name="history"/> to <paramref name="path"/> (<paramref name="width"/> ×
    /// <paramref name="height"/> pixels) under <paramref name="title"/>; <paramref name="logScale"/> gives a log-10
    /// loss axis (the ticks still read as losses), which shows the slow late decrease.
    /// </summary>
    public static void Save(string path, TrainingHistory history, string title = "loss", bool logScale = false, int width = 800, int height = 450)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (logScale && history.Train.Concat(history.Validation).Any(p => p.Loss <= 0))
            throw new ArgumentException("a log-scale loss curve needs positive losses", nameof(logScale));

        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel(logScale ? "loss (log scale)" : "loss");
        Series(plot, history.Train, "train", Colors.SteelBlue, logScale, markers: false);
        Series(plot, history.Validation, "validation", Colors.DarkOrange, logScale, markers: true);
        if (logScale)
        {
            // ScottPlot plots the transformed values; the ticks show the losses they stand for.
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = y => Math.Pow(10, y).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            };
        }
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, width, height);
    }

    /// <summary>Redraws <see cref="FileName"/> in every checkpoint folder <paramref name="trainer"/> writes.</summary>
    public static void SaveBeside(Trainer trainer, string title = "loss", bool logScale = false)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        trainer.CheckpointSaved += (_, e) => Save(Path.Combine(e.Directory, FileName), e.History, $"{title}, step {e.Step}", logScale);
    }

    private static void Series(Plot plot, List<LossPoint> points, string name, Color color, bool logScale, bool markers)
    {
        if (points.Count == 0) return;
        var steps = points.Select(p => (double)p.Step).ToArray();
        var losses = points.Select(p => logScale ? Math.Log10(p.Loss) : p.Loss).ToArray();
        var scatter = plot.Add.Scatter(steps, losses, color);
        scatter.LegendText = name;
        scatter.MarkerSize = markers ? 6 : 0;
        scatter.LineWidth = 1.5f;
    }
}
