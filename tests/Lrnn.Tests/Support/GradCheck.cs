using Lrnn.Torch;

namespace Lrnn.Tests.Support;

/// <summary>
/// Autograd gradients against central finite differences, all in float64: the one gradient checker of the test
/// suite. Non-scalar outputs are reduced to L = Σ f(inputs)·r with a fixed weighting r of distinct entries, so
/// every output element's gradient path is checked (a plain sum would hide a permutation).
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// d objective / d values by central differences: each element of <paramref name="values"/> is perturbed by
    /// ±<paramref name="eps"/> in place (the objective reads it) and restored. For references written in plain loops.
    /// </summary>
    public static double[] Numeric(double[] values, Func<double> objective, double eps = 1e-6)
    {
        var grad = new double[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            var saved = values[k];
            values[k] = saved + eps;
            var plus = objective();
            values[k] = saved - eps;
            var minus = objective();
            values[k] = saved;
            grad[k] = (plus - minus) / (2 * eps);
        }
        return grad;
    }

    /// <summary>Random values in [lo, hi), reproducible from <paramref name="seed"/>.</summary>
    public static double[] Uniform(long count, int seed, double lo = -2, double hi = 2)
    {
        var rng = new Random(seed);
        var v = new double[count];
        for (var k = 0; k < count; k++) v[k] = lo + (hi - lo) * rng.NextDouble();
        return v;
    }

    /// <summary>
    /// Checks dL/d(input) for each input index in <paramref name="wrt"/> (default: every input) of
    /// L = Σ f(inputs)·r, perturbing every element by ±<paramref name="eps"/>.
    /// </summary>
    public static void AssertGradients(Device device, Func<Tensor[], Tensor> f, (double[] Data, long[] Shape)[] inputs,
        int[]? wrt, double eps = 1e-6, double atol = 1e-7, double rtol = 1e-6)
    {
        wrt ??= Enumerable.Range(0, inputs.Length).ToArray();
        using var scope = torch.NewDisposeScope();
        var leaves = inputs.Select((x, i) => torch.tensor(x.Data, x.Shape, device, requires_grad: wrt.Contains(i))).ToArray();
        var y = f(leaves);
        var weights = torch.tensor(Weights((int)y.numel()), y.shape, device);
        (y * weights).sum().backward();
        foreach (var i in wrt)
        {
            var numeric = new double[inputs[i].Data.Length];
            for (var k = 0; k < numeric.Length; k++)
                numeric[k] = (Objective(i, k, eps) - Objective(i, k, -eps)) / (2 * eps);
            Numerics.AssertClose(numeric, leaves[i].grad!.ToArray<double>(), atol, rtol, $"gradient of input {i}");
        }

        double Objective(int input, int element, double delta)
        {
            using var inner = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var perturbed = inputs.Select((x, j) =>
            {
                var data = j == input ? (double[])x.Data.Clone() : x.Data;
                if (j == input) data[element] += delta;
                return torch.tensor(data, x.Shape, device);
            }).ToArray();
            return (f(perturbed) * weights).sum().item<double>();
        }
    }

    /// <summary>Every input, with tolerances 1e-6 (absolute and relative).</summary>
    public static void AssertGradients(Device device, Func<Tensor[], Tensor> f, params (double[] Data, long[] Shape)[] inputs) =>
        AssertGradients(device, f, inputs, null, atol: 1e-6, rtol: 1e-6);

    /// <summary>One input: see <see cref="AssertGradients(Device, Func{Tensor[], Tensor}, ValueTuple{double[], long[]}[], int[], double, double, double)"/>.</summary>
    public static void AssertGradient(Func<Tensor, Tensor> f, double[] x, long[] shape, Device device,
        double eps = 1e-6, double atol = 1e-7, double rtol = 1e-6) =>
        AssertGradients(device, t => f(t[0]), [(x, shape)], null, eps, atol, rtol);

    /// <summary>Several inputs, the gradient of input <paramref name="wrt"/> only: see the first AssertGradients.</summary>
    public static void AssertGradient(Func<Tensor[], Tensor> f, double[][] inputs, long[][] shapes, int wrt, Device device,
        double eps = 1e-6, double atol = 1e-7, double rtol = 1e-6) =>
        AssertGradients(device, f, inputs.Zip(shapes, (d, s) => (d, s)).ToArray(), [wrt], eps, atol, rtol);

    /// <summary>
    /// Central differences of <paramref name="loss"/> with respect to every element of <paramref name="parameter"/>
    /// (a float64 tensor perturbed in place and restored): for gradients of whole models, whose parameters are
    /// not function arguments.
    /// </summary>
    public static double[] Numeric(Tensor parameter, Func<double> loss, double eps = 1e-6)
    {
        using var noGrad = torch.no_grad();
        using var flat = parameter.view(-1);
        var gradient = new double[flat.numel()];
        for (var i = 0; i < gradient.Length; i++)
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

    private static double[] Weights(int n) => Enumerable.Range(0, n).Select(k => 1 + 0.5 * Math.Sin(1.7 * k + 0.3)).ToArray();
}
