using Lrnn.Torch;

namespace Lrnn.Tests.Model;

/// <summary>Central finite differences of a scalar function with respect to every element of a float64 tensor.</summary>
internal static class FiniteDifferences
{
    public static double[] Gradient(Tensor parameter, Func<double> loss, double eps = 1e-6)
    {
        using var noGrad = torch.no_grad();
        using var flat = parameter.view(-1);
        var n = flat.numel();
        var gradient = new double[n];
        for (var i = 0; i < n; i++)
        {
            using var element = flat.narrow(0, i, 1);
            var original = element.item<double>();
            element.fill_(original + eps);
            var up = loss();
            element.fill_(original - eps);
            var down = loss();
            element.fill_(original);
            gradient[i] = (up - down) / (2 * eps);
        }
        return gradient;
    }
}
