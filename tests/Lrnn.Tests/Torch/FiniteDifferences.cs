using Lrnn.Tests.Support;
using Lrnn.Torch;

namespace Lrnn.Tests.Torch;

/// <summary>Autograd gradients checked against central finite differences, all in float64.</summary>
internal static class FiniteDifferences
{
    /// <summary>Random values in [lo, hi), reproducible from <paramref name="seed"/>.</summary>
    public static double[] Uniform(int count, int seed, double lo = -2, double hi = 2)
    {
        var rng = new Random(seed);
        var v = new double[count];
        for (var k = 0; k < count; k++) v[k] = lo + (hi - lo) * rng.NextDouble();
        return v;
    }

    /// <summary>
    /// Asserts that the gradient of the scalar <paramref name="f"/>(x) with respect to input number
    /// <paramref name="wrt"/> matches (f(x + εe_k) − f(x − εe_k)) / 2ε for every element k.
    /// </summary>
    public static void AssertGradient(Func<Tensor[], Tensor> f, double[][] inputs, long[][] shapes, int wrt, Device device,
        double eps = 1e-6, double atol = 1e-7, double rtol = 1e-6)
    {
        double[] analytic;
        using (var scope = torch.NewDisposeScope())
        {
            var xs = inputs.Select((x, i) => torch.tensor(x, shapes[i], device, requires_grad: i == wrt)).ToArray();
            f(xs).backward();
            analytic = xs[wrt].grad!.ToArray<double>();
        }
        var numeric = new double[inputs[wrt].Length];
        using (torch.no_grad())
        {
            for (var k = 0; k < numeric.Length; k++)
            {
                var saved = inputs[wrt][k];
                inputs[wrt][k] = saved + eps;
                var plus = Evaluate(f, inputs, shapes, device);
                inputs[wrt][k] = saved - eps;
                var minus = Evaluate(f, inputs, shapes, device);
                inputs[wrt][k] = saved;
                numeric[k] = (plus - minus) / (2 * eps);
            }
        }
        Numerics.AssertClose(numeric, analytic, atol, rtol, $"gradient of input {wrt}");
    }

    public static void AssertGradient(Func<Tensor, Tensor> f, double[] input, long[] shape, Device device,
        double eps = 1e-6, double atol = 1e-7, double rtol = 1e-6) =>
        AssertGradient(xs => f(xs[0]), new[] { input }, new[] { shape }, 0, device, eps, atol, rtol);

    private static double Evaluate(Func<Tensor[], Tensor> f, double[][] inputs, long[][] shapes, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var xs = inputs.Select((x, i) => torch.tensor(x, shapes[i], device)).ToArray();
        return f(xs).item<double>();
    }
}
