using System.Numerics;
using Lrnn.Torch;

namespace Lrnn.Modules.Lti;

/// <summary>The options of lrnnx's diagonal-plus-low-rank initialisation (<c>dplr</c>), passed to S4/S4D as extra kwargs.</summary>
public sealed record S4InitOptions
{
    public bool RealRandom { get; init; }
    public double RealScale { get; init; } = 1.0;
    public bool ImagRandom { get; init; }
    public double ImagScale { get; init; } = 1.0;
    /// <summary>constant, random, alternating, unit-cw, unit-ccw (ignored by the legs/hippo inits, which use HiPPO's B).</summary>
    public string BInit { get; init; } = "constant";
    public double BScale { get; init; } = 1.0;
    public double PScale { get; init; } = 1.0;
    /// <summary>Rescales B so that the kernel has unit 2-norm at Δ → ∞ (lrnnx's <c>normalize</c>).</summary>
    public bool Normalize { get; init; }
}

/// <summary>
/// The initial state matrices of S4 and S4D, as lrnnx's <c>combination</c>/<c>ssm</c>/<c>dplr</c>/<c>nplr</c>
/// (<c>lrnnx/ops/s4_utils.py</c>), for S copies of an SSM with N states stored as N' = N/2 conjugate pairs:
/// <list type="bullet">
/// <item>"legs", "legt", "fourier": the NPLR form of that HiPPO matrix (<see cref="Hippo.Nplr"/>);</item>
/// <item>"diag-X" / "dplr-X": a diagonal A = −real − i·imag with imag given by X (lin: πn, inv: N/π·(N/(1+2n) − 1),
/// inv2, quad, real, random, legs/hippo); "diag" zeroes P, "dplr" keeps a random one;</item>
/// <item>"hippo", "diag", "all": the S copies split evenly between [legs, fourier], [diag-inv, diag-lin] and all four.</item>
/// </list>
/// All tensors are complex128 on the CPU; random draws use libtorch's global generator.
/// </summary>
public static class S4Initialization
{
    /// <summary>A (S, N'), P (rank, S, N'), B (S, N') and the basis V (S, N, N') in which A is diagonal plus low rank.</summary>
    public sealed record Ssm(Tensor A, Tensor P, Tensor B, Tensor V);

    private static readonly Dictionary<string, string[]> s_combinations = new()
    {
        ["hippo"] = ["legs", "fourier"],
        ["diag"] = ["diag-inv", "diag-lin"],
        ["all"] = ["legs", "fourier", "diag-inv", "diag-lin"],
    };

    /// <summary>Call inside a dispose scope. <paramref name="copies"/> must be a multiple of the number of inits <paramref name="init"/> names.</summary>
    public static Ssm Combination(string init, int n, int rank, int copies, S4InitOptions options)
    {
        var inits = s_combinations.TryGetValue(init, out var list) ? list : [init];
        if (copies % inits.Length != 0)
            throw new ArgumentException($"init '{init}' splits the SSM copies between {inits.Length} initialisations, but n_ssm = {copies} is not a multiple of {inits.Length}");
        var parts = inits.Select(i => Single(i, n, rank, copies / inits.Length, options)).ToList();
        return new Ssm(torch.cat(parts.Select(p => p.A).ToList(), 0), torch.cat(parts.Select(p => p.P).ToList(), 1),
                       torch.cat(parts.Select(p => p.B).ToList(), 0), torch.cat(parts.Select(p => p.V).ToList(), 0));
    }

    /// <summary>Valid values of S4/S4D's <c>init</c> kwarg, for error messages.</summary>
    public static bool IsKnown(string init)
    {
        if (s_combinations.ContainsKey(init) || init is "legs" or "legt" or "fourier" or "fout") return true;
        if (!(init.StartsWith("diag", StringComparison.Ordinal) || init.StartsWith("dplr", StringComparison.Ordinal))) return false;
        var rest = init[4..];
        return rest.Length == 0 || (rest[0] == '-' && DiagonalKinds.Contains(rest[1..]));
    }

    private static readonly string[] DiagonalKinds = ["random", "rand", "real", "linear", "lin", "inverse", "inv", "inverse2", "inv2", "quadratic", "quad", "legs", "hippo"];

    private static Ssm Single(string init, int n, int rank, int copies, S4InitOptions options)
    {
        if (init.StartsWith("diag", StringComparison.Ordinal) || init.StartsWith("dplr", StringComparison.Ordinal))
        {
            var rest = init[4..];
            if (rest.Length > 0 && rest[0] != '-') throw new ArgumentException($"unknown S4 init '{init}'");
            var kind = rest.Length == 0 ? "hippo" : rest[1..];
            // "diag" is "dplr" with the low-rank term switched off.
            return Dplr(kind, n, rank, copies, init.StartsWith("diag", StringComparison.Ordinal) ? options with { PScale = 0 } : options);
        }
        var (w, p, b, v) = Hippo.Nplr(init, n, rank);
        return new Ssm(Tile(FromComplex(w, [1, n / 2]), copies, 0), Tile(FromComplex(p, [p.GetLength(0), 1, n / 2]), copies, 1),
                       Tile(FromComplex(b, [1, n / 2]), copies, 0), Tile(FromComplex(v, [1, n, n / 2]), copies, 0));
    }

    private static Ssm Dplr(string kind, int n, int rank, int h, S4InitOptions o)
    {
        var half = n / 2;
        var f64 = ScalarType.Float64;
        var real = o.RealRandom ? torch.rand([h, half], dtype: f64) : torch.full([h, half], 0.5, f64);
        real = real.mul(o.RealScale);
        var index = torch.arange(half, f64).unsqueeze(0).repeat(h, 1);                 // (H, N')
        var imag = o.ImagRandom ? torch.rand([h, half], dtype: f64).mul(half) : index;
        imag = kind switch
        {
            "random" or "rand" => torch.randn([h, half], dtype: f64).exp(),
            "real" => imag.mul(0),
            "linear" or "lin" => imag.mul(Math.PI),
            "inverse" or "inv" => imag.mul(2).add(1).reciprocal().mul(n).sub(1).mul(n / Math.PI),
            "inverse2" or "inv2" => imag.add(1).reciprocal().mul(n).sub(1).mul(n / Math.PI),
            "quadratic" or "quad" => imag.mul(2).add(1).square().div(Math.PI),
            "legs" or "hippo" => Tile(FromComplex(Hippo.Nplr("legs", n).W, [1, half]), h, 0).imag.neg(),
            _ => throw new ArgumentException($"unknown diagonal S4 init '{kind}'"),
        };
        if (kind == "real")
            real = o.RealRandom ? torch.rand([h, half], dtype: f64).mul(n).div(2).floor() : index.add(1);
        imag = imag.mul(o.ImagScale);
        var a = torch.complex(real.neg(), imag.neg());                                   // A = −real − i·imag

        var c128 = ScalarType.ComplexFloat64;
        Tensor b;
        if (kind is "legs" or "hippo")
            b = Tile(FromComplex(Hippo.Nplr("legs", n).B, [1, half]), h, 0);
        else
            b = o.BInit switch
            {
                "constant" => torch.ones([h, half], c128),
                "random" => ComplexNormal([h, half]),
                "alternating" => torch.complex(torch.arange(half, f64).remainder(2).mul(-2).add(1), torch.zeros([half], f64)).unsqueeze(0).repeat(h, 1),
                "unit-cw" or "unit-ccw" => UnitCircle(n, half, o.BInit == "unit-cw" ? -1 : 1).unsqueeze(0).repeat(h, 1),
                _ => throw new ArgumentException($"unknown B_init '{o.BInit}' (known: constant, random, alternating, unit-cw, unit-ccw)"),
            };
        b = b.mul(o.BScale);
        if (o.Normalize)
        {
            var zeta = b.neg().div(a).abs().square().sum(-1, keepdim: true).mul(2);     // (H, 1)
            b = b.div(zeta.sqrt());
        }

        var p = o.BInit is "legs" or "hippo"
            ? Tile(FromComplex(Hippo.Nplr("legs", n, rank).P, [rank, 1, half]), h, 1)
            : ComplexNormal([rank, h, half]).mul(o.PScale);
        var v = torch.eye(n, half, c128).unsqueeze(0).repeat(h, 1, 1);                  // (H, N, N')
        return new Ssm(a, p, b, v);
    }

    /// <summary>z^k, k = 0..N'−1, z = exp(±2πi/N).</summary>
    private static Tensor UnitCircle(int n, int half, int sign)
    {
        var angle = torch.arange(half, ScalarType.Float64).mul(sign * 2 * Math.PI / n);
        return torch.complex(angle.cos(), angle.sin());
    }

    /// <summary>Standard complex normal (real and imaginary parts each N(0, ½)), as torch.randn with a complex dtype.</summary>
    public static Tensor ComplexNormal(long[] shape) =>
        torch.complex(torch.randn(shape, dtype: ScalarType.Float64).mul(Math.Sqrt(0.5)), torch.randn(shape, dtype: ScalarType.Float64).mul(Math.Sqrt(0.5)));

    private static Tensor Tile(Tensor t, int copies, int dim)
    {
        var repeats = Enumerable.Repeat(1L, (int)t.dim()).ToArray();
        repeats[dim] = copies;
        return t.repeat(repeats);
    }

    private static Tensor FromComplex(Complex[] values, long[] shape) =>
        torch.complex(torch.tensor(values.Select(c => c.Real).ToArray(), shape), torch.tensor(values.Select(c => c.Imaginary).ToArray(), shape));

    private static Tensor FromComplex(Complex[,] values, long[] shape) => FromComplex(values.Cast<Complex>().ToArray(), shape);
}
