using Lrnn.Torch;

namespace Lrnn.Tests.Support;

/// <summary>Gradient checks against central finite differences, in float64.</summary>
public static class GradCheck
{
    /// <summary>
    /// Compares the autograd gradient of <c>sum(f(x) * w)</c> with central differences, where w is a fixed weighting
    /// with distinct entries, so that every output element's gradient path is checked (a plain sum would hide
    /// permutations). <paramref name="f"/> must return a Float64 tensor.
    /// </summary>
    public static void AssertGradient(Func<Tensor, Tensor> f, double[] x, long[] shape, Device device,
        double eps = 1e-6, double atol = 1e-8, double rtol = 1e-6)
    {
        using var scope = torch.NewDisposeScope();
        var input = torch.tensor(x, shape, device, requires_grad: true);
        var output = f(input);
        var weights = Weights((int)output.numel());
        (output * torch.tensor(weights, output.shape, device)).sum().backward();
        var analytic = input.grad!.ToArray<double>();

        var numeric = new double[x.Length];
        using (torch.no_grad())
        {
            for (var k = 0; k < x.Length; k++)
            {
                var plus = (double[])x.Clone();
                var minus = (double[])x.Clone();
                plus[k] += eps;
                minus[k] -= eps;
                numeric[k] = (Objective(f, plus, shape, device, weights) - Objective(f, minus, shape, device, weights)) / (2 * eps);
            }
        }
        Numerics.AssertClose(numeric, analytic, atol, rtol, "gradient");
    }

    private static double Objective(Func<Tensor, Tensor> f, double[] x, long[] shape, Device device, double[] weights)
    {
        using var scope = torch.NewDisposeScope();
        var y = f(torch.tensor(x, shape, device)).ToArray<double>();
        var sum = 0.0;
        for (var k = 0; k < y.Length; k++) sum += y[k] * weights[k];
        return sum;
    }

    private static double[] Weights(int n) => Enumerable.Range(0, n).Select(k => 1 + 0.5 * Math.Sin(1.7 * k + 0.3)).ToArray();
}
