using System.Globalization;
using System.Text;

namespace Lrnn.Training;

/// <summary>Draws the training and validation losses against the step as a self-contained SVG file.</summary>
public static class LossCurve
{
    public const string FileName = "loss.svg";

    private const int Width = 720, Height = 420, Left = 60, Right = 20, Top = 30, Bottom = 45;

    public static void Save(string path, TrainingHistory history, string title = "loss")
    {
        var points = history.Train.Concat(history.Validation).ToList();
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\">{System.Security.SecurityElement.Escape(title)}</text>\n");
        if (points.Count > 0)
        {
            var maxStep = Math.Max(1, points.Max(p => p.Step));
            var lo = points.Min(p => p.Loss);
            var hi = points.Max(p => p.Loss);
            if (hi - lo < 1e-9) hi = lo + 1;
            double X(long step) => Left + (Width - Left - Right) * (double)step / maxStep;
            double Y(double loss) => Top + (Height - Top - Bottom) * (hi - loss) / (hi - lo);

            svg.Append(CultureInfo.InvariantCulture,
                $"<path d=\"M{Left},{Top} V{Height - Bottom} H{Width - Right}\" fill=\"none\" stroke=\"black\"/>\n");
            for (var i = 0; i <= 4; i++)
            {
                var loss = lo + (hi - lo) * i / 4;
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Y(loss) + 4:F1}\" text-anchor=\"end\">{loss:F2}</text>\n");
                var step = maxStep * i / 4;
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(step):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{step}</text>\n");
            }
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">step</text>\n");
            Polyline(svg, history.Train, X, Y, "#4c72b0", "train");
            Polyline(svg, history.Validation, X, Y, "#dd8452", "validation");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right - 110}\" y=\"{Top + 10}\" fill=\"#4c72b0\">— train</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right - 110}\" y=\"{Top + 26}\" fill=\"#dd8452\">— validation</text>\n");
        }
        svg.Append("</svg>\n");
        File.WriteAllText(path, svg.ToString());
    }

    private static void Polyline(StringBuilder svg, List<LossPoint> series, Func<long, double> x, Func<double, double> y,
        string color, string name)
    {
        if (series.Count == 0) return;
        var coordinates = string.Join(" ", series.Select(p => string.Create(CultureInfo.InvariantCulture, $"{x(p.Step):F1},{y(p.Loss):F1}")));
        svg.Append(CultureInfo.InvariantCulture,
            $"<polyline points=\"{coordinates}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"><title>{name}</title></polyline>\n");
    }
}
