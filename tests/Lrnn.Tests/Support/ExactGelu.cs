namespace Lrnn.Tests.Support;

/// <summary>The exact (erf) GELU in float64, for the reference implementations of the mixers' gates and post-processing.</summary>
internal static class ExactGelu
{
    public static double Of(double v) => 0.5 * v * (1 + Erf(v / Math.Sqrt(2)));

    /// <summary>erf by its Taylor series (|z| ≤ 3) or continued fraction of erfc: ~1e-14 accurate.</summary>
    public static double Erf(double z)
    {
        var a = Math.Abs(z);
        if (a <= 3)
        {
            double sum = 0, term = a;
            for (var k = 0; k < 200 && Math.Abs(term) > 1e-17; k++)
            {
                sum += term / (2 * k + 1);
                term *= -a * a / (k + 1);
            }
            return Math.Sign(z) * 2 / Math.Sqrt(Math.PI) * sum;
        }
        double f = a;
        for (var k = 60; k >= 1; k--) f = a + k / 2.0 / f;
        return Math.Sign(z) * (1 - Math.Exp(-a * a) / Math.Sqrt(Math.PI) / f);
    }
}
