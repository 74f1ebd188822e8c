using Lrnn.Tests.Support;
using System.Numerics;
using Lrnn.Modules.Mixers;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model.Ltv;

/// <summary>
/// Float64 references of the LTV mixers: each one's own math written as a sequential recurrence over plain arrays, one
/// sequence at a time (u[t][h] → y[t][h]), from the mixer's parameters. The equations are the mixers' doc comments.
/// </summary>
internal static class LtvReference
{
    /// <summary>W (rows, cols) row-major times x (cols), plus bias.</summary>
    private static double[] MatVec(double[] w, double[]? bias, double[] x)
    {
        var rows = w.Length / x.Length;
        var y = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            var acc = bias?[r] ?? 0;
            for (var c = 0; c < x.Length; c++) acc += w[r * x.Length + c] * x[c];
            y[r] = acc;
        }
        return y;
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
    private static double Softplus(double v) => v > 20 ? v : double.LogP1(Math.Exp(v));
    private static double Silu(double v) => v * Sigmoid(v);

    /// <summary>Causal depthwise conv over x[t][c] with weight (C, 1, K) and bias.</summary>
    private static double[][] Conv(double[][] x, double[] w, double[]? bias, int taps)
    {
        var channels = x[0].Length;
        return x.Select((_, t) => Enumerable.Range(0, channels).Select(c =>
        {
            var acc = bias?[c] ?? 0;
            for (var k = 0; k < taps; k++)
            {
                var s = t - taps + 1 + k;
                if (s >= 0) acc += w[c * taps + k] * x[s][c];
            }
            return acc;
        }).ToArray()).ToArray();
    }

    public static double[][] RgLru(RgLru m, double[][] u, double c)
    {
        var gate = u.Select(ut => MatVec(Doubles(m.gate_proj.weight), null, ut).Select(ExactGelu.Of).ToArray()).ToArray();
        var x = Conv(u.Select(ut => MatVec(Doubles(m.in_proj.weight), null, ut)).ToArray(), Doubles(m.conv1d.weight), Doubles(m.conv1d.bias!), (int)m.conv1d.kernel_size);
        var aLog = Doubles(m.a_log);
        var h = new double[aLog.Length];
        return x.Select((xt, t) =>
        {
            var r = MatVec(Doubles(m.recurrent_gate_proj.weight), Doubles(m.recurrent_gate_proj.bias!), xt);
            var i = MatVec(Doubles(m.input_gate_proj.weight), Doubles(m.input_gate_proj.bias!), xt);
            var gated = new double[h.Length];
            for (var e = 0; e < h.Length; e++)
            {
                var a = Math.Pow(Sigmoid(aLog[e]), c * Sigmoid(r[e]));
                h[e] = a * h[e] + Math.Sqrt(1 - a * a) * Sigmoid(i[e]) * xt[e];
                gated[e] = gate[t][e] * h[e];
            }
            return MatVec(Doubles(m.out_proj.weight), null, gated);
        }).ToArray();
    }

    public static double[][] S7(S7 m, double[][] u, int n)
    {
        var baseParams = Doubles(m.base_params);
        var h = new double[n];
        return u.Select(ut =>
        {
            var x = MatVec(Doubles(m.in_proj.weight), null, ut);
            var dim = x.Length;
            var p = MatVec(Doubles(m.x_proj.weight), null, x);
            // [A (N) | B (H·N) | C (H·N) | D (H) | bias (N)], B and C at h·N + n.
            for (var k = 0; k < n; k++)
            {
                var a = p[k] + baseParams[k];
                var bu = p[n + 2 * dim * n + dim + k];
                for (var j = 0; j < dim; j++) bu += p[n + j * n + k] * x[j];
                h[k] = (1 - 1 / (a * a + 0.5)) * h[k] + bu;
            }
            var y = new double[dim];
            for (var j = 0; j < dim; j++)
            {
                y[j] = p[n + 2 * dim * n + j] * x[j];
                for (var k = 0; k < n; k++) y[j] += p[n + dim * n + j * n + k] * h[k];
            }
            var g = MatVec(Doubles(m.gate_proj.weight), null, y.Select(ExactGelu.Of).ToArray());
            return y.Select((v, j) => Sigmoid(g[j]) * v + ut[j]).ToArray();
        }).ToArray();
    }

    /// <summary>S5LTV; <paramref name="tau"/> (L) integration timesteps for event mode, or null.</summary>
    public static double[][] S5Ltv(S5Ltv m, double[][] u, string method, bool conjSym, double stepRescale, double[]? tau = null)
    {
        var a = Doubles(m.A); var b = Doubles(m.B); var cc = Doubles(m.C); var d = Doubles(m.D); var logDt = Doubles(m.log_dt);
        var p = logDt.Length;
        var dim = d.Length;
        var h = new Complex[p];
        return u.Select((ut, t) =>
        {
            for (var k = 0; k < p; k++)
            {
                var lambda = new Complex(a[2 * k], a[2 * k + 1]);
                var dt = Math.Exp(logDt[k]) * stepRescale;
                var dtA = (tau?[t] ?? 1) * dt;
                var (aBar, gamma) = method switch
                {
                    "zoh" => (Complex.Exp(dtA * lambda), (Complex.Exp(dt * lambda) - 1) / lambda),
                    "bilinear" => ((1 + 0.5 * dtA * lambda) / (1 - 0.5 * dtA * lambda), dt / (1 - 0.5 * dt * lambda)),
                    _ => (Complex.Exp(dtA * lambda), Complex.One),
                };
                var bu = Complex.Zero;
                for (var j = 0; j < dim; j++) bu += new Complex(b[(k * dim + j) * 2], b[(k * dim + j) * 2 + 1]) * ut[j];
                h[k] = aBar * h[k] + gamma * bu;
            }
            return Enumerable.Range(0, dim).Select(j =>
            {
                var acc = Complex.Zero;
                for (var k = 0; k < p; k++) acc += new Complex(cc[(j * p + k) * 2], cc[(j * p + k) * 2 + 1]) * h[k];
                return (conjSym ? 2 : 1) * acc.Real + d[j] * ut[j];
            }).ToArray();
        }).ToArray();
    }

    /// <summary>Mamba; <paramref name="tau"/> (L) integration timesteps for event mode, or null.</summary>
    public static double[][] Mamba(Mamba m, double[][] u, string method, int n, double[]? tau = null)
    {
        var xz = u.Select(ut => MatVec(Doubles(m.in_proj.weight), null, ut)).ToArray();
        var e = xz[0].Length / 2;
        var x = Conv(xz.Select(v => v.Take(e).ToArray()).ToArray(), Doubles(m.conv1d.weight), Doubles(m.conv1d.bias!), (int)m.conv1d.kernel_size)
            .Select(v => v.Select(Silu).ToArray()).ToArray();
        var aLog = Doubles(m.A_log); var dSkip = Doubles(m.D); var dtBias = Doubles(m.dt_proj.bias); var dtABias = m.dtA_proj is { } dtA ? Doubles(dtA.bias) : null;
        var rank = (int)m.dt_proj.weight.size(1);
        var h = new double[e, n];
        return x.Select((xt, t) =>
        {
            var p = MatVec(Doubles(m.x_proj.weight), null, xt);
            var dt = MatVec(Doubles(m.dt_proj.weight), dtBias, p.Take(rank).ToArray()).Select(Softplus).ToArray();
            var y = new double[e];
            for (var c = 0; c < e; c++)
            {
                var dtA = tau is null ? dt[c] : tau[t] * Softplus(dtABias![c]);
                for (var k = 0; k < n; k++)
                {
                    var a = -Math.Exp(aLog[c * n + k]);
                    var (aBar, bScale) = method switch
                    {
                        "mamba" => (Math.Exp(dtA * a), dt[c]),
                        "zoh" => (Math.Exp(dtA * a), (Math.Exp(dt[c] * a) - 1) / a),
                        "bilinear" => ((1 + dtA * a / 2) / (1 - dtA * a / 2), dt[c] / (1 - dt[c] * a / 2)),
                        _ => (Math.Exp(dtA * a), 1.0),
                    };
                    h[c, k] = aBar * h[c, k] + bScale * p[rank + k] * xt[c];
                    y[c] += p[rank + n + k] * h[c, k];
                }
                y[c] = (y[c] + dSkip[c] * xt[c]) * Silu(xz[t][e + c]);
            }
            return MatVec(Doubles(m.out_proj.weight), null, y);
        }).ToArray();
    }

    /// <summary>x (B, L, H) flattened → per sequence [t][h].</summary>
    public static double[][] Sequence(double[] flat, long b, long length, long dim) =>
        Enumerable.Range(0, (int)length).Select(t => flat.Skip((int)((b * length + t) * dim)).Take((int)dim).ToArray()).ToArray();
}
