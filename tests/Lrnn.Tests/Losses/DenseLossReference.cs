namespace Lrnn.Tests.Losses;

/// <summary>
/// The LM loss written as plain float64 loops over dense logits: the reference every head × loss implementation ×
/// reduction is checked against. Gradients come from central finite differences of <see cref="Objective"/>.
/// </summary>
internal sealed record DenseLossReference(int Tokens, int Hidden, int Vocab)
{
    public long IgnoreIndex { get; init; } = -100;
    public double? ZLossMultiplier { get; init; }
    public double LabelSmoothing { get; init; }
    public double Softcap { get; init; }
    public string Reduction { get; init; } = "mean";
    public double DivFactor { get; init; } = 1;

    /// <summary>Per token: (nll, lse), 0 at ignored tokens. scale multiplies the logits before the bias (empty: none).</summary>
    public (double Nll, double Lse)[] TokenLosses(double[] x, double[] w, double[] bias, double[] scale, long[] labels)
    {
        var result = new (double, double)[Tokens];
        for (var n = 0; n < Tokens; n++)
        {
            if (labels[n] == IgnoreIndex) continue;
            var logits = new double[Vocab];
            for (var v = 0; v < Vocab; v++)
            {
                double dot = 0;
                for (var h = 0; h < Hidden; h++) dot += x[n * Hidden + h] * w[v * Hidden + h];
                if (scale.Length > 0) dot *= scale[v];
                if (bias.Length > 0) dot += bias[v];
                logits[v] = Softcap > 0 ? Softcap * Math.Tanh(dot / Softcap) : dot;
            }
            var max = logits.Max();
            var lse = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            var nll = (1 - LabelSmoothing) * (lse - logits[labels[n]]) + LabelSmoothing * (lse - logits.Average());
            result[n] = (nll, lse);
        }
        return result;
    }

    /// <summary>The reduced (loss, ce, z) or, for "none", Σ_n weights_n·loss_n (and the same for ce and z).</summary>
    public (double Loss, double Ce, double Z) Reduce((double Nll, double Lse)[] tokens, long[] labels, double[] weights)
    {
        var m = ZLossMultiplier ?? 0;
        double ce = 0, z = 0;
        for (var n = 0; n < Tokens; n++)
        {
            var weight = Reduction == "none" ? weights[n] : 1;
            ce += weight * tokens[n].Nll;
            z += weight * m * tokens[n].Lse * tokens[n].Lse;
        }
        var divisor = DivFactor * (Reduction == "mean" ? Math.Max(1, labels.Count(l => l != IgnoreIndex)) : 1);
        return ((ce + z) / divisor, ce / divisor, z / divisor);
    }

    public double Objective(double[] x, double[] w, double[] bias, double[] scale, long[] labels, double[] weights) =>
        Reduce(TokenLosses(x, w, bias, scale, labels), labels, weights).Loss;
}
