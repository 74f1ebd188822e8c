using Lrnn.Plotting;
using Lrnn.Tests.SafeTensors;
using Lrnn.Training;
using SkiaSharp;
using Xunit;

namespace Lrnn.Tests.Plotting;

public sealed class LossCurveTests
{
    private static TrainingHistory History()
    {
        var history = new TrainingHistory();
        for (var step = 1; step <= 50; step++) history.Train.Add(new LossPoint(step, 5.5 * Math.Exp(-step / 15.0) + 0.5));
        foreach (var step in new[] { 0, 25, 50 }) history.Validation.Add(new LossPoint(step, 5.6 * Math.Exp(-step / 15.0) + 0.6));
        return history;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DrawsBothSeriesIntoAPngOfTheRequestedSize(bool logScale)
    {
        using var folder = new TempFolder();
        var path = folder.File(LossCurve.FileName);
        LossCurve.Save(path, History(), "test run", logScale, width: 640, height: 360);

        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.Equal((640, 360), (bitmap.Width, bitmap.Height));
        // The two series' colours are on the canvas (so both were drawn), and text was rendered (dark pixels besides the lines).
        var pixels = bitmap.Pixels;
        Assert.Contains(pixels, p => Near(p, new SKColor(70, 130, 180)));     // SteelBlue: train
        Assert.Contains(pixels, p => Near(p, new SKColor(255, 140, 0)));      // DarkOrange: validation
        Assert.True(pixels.Count(p => p.Red < 60 && p.Green < 60 && p.Blue < 60) > 500, "no labels or axes were drawn");
    }

    [Fact]
    public void ALogScaleRejectsNonPositiveLosses()
    {
        var history = new TrainingHistory();
        history.Train.Add(new LossPoint(1, 0));
        using var folder = new TempFolder();
        Assert.Throws<ArgumentException>(() => LossCurve.Save(folder.File("x.png"), history, logScale: true));
    }

    private static bool Near(SKColor a, SKColor b) => Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue) < 12;
}
