using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Modules.Lti;
using Lrnn.Ops;
using Lrnn.Torch;
using static Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// S4D, the diagonal S4 (Gu et al. 2022, "On the Parameterization and Initialization of Diagonal State Space
/// Models"), as lrnnx's <c>lrnnx/models/lti/s4d.py</c>: its kwargs, parameters, duplicated <c>layer.kernel.*</c>
/// keys and post-processing are lrnnx's (see <see cref="S4Block"/>). Per feature h and mode n (N' = N/2 conjugate pairs):
/// <code>
/// zoh:      Ā = e^{ΔA},                 B̄ = B (e^{ΔA} − 1)/A
/// bilinear: Ā = (1 + ΔA/2)/(1 − ΔA/2),  B̄ = B Δ/(1 − ΔA/2)
/// h_t = Ā ⊙ h_{t−1} + B̄ u_t,   y_t = 2 Re Σ_n C_n h_{t,n}       (the conjugate half doubles the real part)
/// K_l = 2 Re Σ_n C_n B̄_n Ā_n^l,  Ā^l = exp(l · log Ā)            (Vandermonde, never repeated products)
/// </code>
/// The full-sequence path convolves with K (D folded into K_0) by FFT (<see cref="ops.fft_causal_conv"/>),
/// generating K by <see cref="Vandermonde"/> without the (H, N', L) powers (reused across inference forwards while
/// the weights are unchanged: <see cref="S4Block.CacheKernel"/>); a prefill also leaves h_L in the cache,
/// and a cache that already holds a state adds its free response 2 Re Σ C Ā^{t+1} h_0 to the outputs.
/// </summary>
public sealed class S4D : S4Block
{
    public static readonly MixerSchema Schema = S4Options.Schema(withDisc: true);

    public static IEnumerable<string> ModelProblems(LrnnConfig config, MixerArguments args) => S4Options.Problems("S4D", config, args);

    public S4D(MixerSpec spec)
        : this(spec.Config.DModel, spec.Config.DState, S4Options.From(spec.Arguments, withDisc: true), spec.Dtype, spec.Device)
    {
    }

    public S4D(long dModel, long dState = 64, S4Options? options = null, ScalarType? dtype = null, Device? device = null)
        : base("S4D", dModel, dState, options ?? new S4Options(), lowRank: false, dtype, device)
    {
        if (Options.Disc is not ("zoh" or "bilinear"))
            throw new ArgumentException($"S4D: disc must be \"zoh\" or \"bilinear\", got \"{Options.Disc}\"");
    }

    protected override long StateSize => Modes;

    /// <summary>Ā, B̄ (H, N'), C (channels, H, N') and log Ā (H, N'), complex, in <paramref name="type"/>'s precision. Call inside a dispose scope.</summary>
    private (Tensor A, Tensor B, Tensor C, Tensor LogA) Discretize(ScalarType type)
    {
        var ssm = Continuous(type);
        var d = Discretization.Apply(Discretization.Parse(Options.Disc), ssm.A, ssm.Dt);      // (H, N'): Δ broadcasts
        return (d.ABar, ssm.B.mul(d.Gamma), ssm.C, d.LogABar);
    }

    protected override Tensor Forward(Tensor x, MixerContext context, ComplexStateCache? cache)
    {
        var length = x.size(1);

        var type = Precision.ComputeType(x.dtype);
        var u = Precision.Cast(LengthMask.Apply(x, context.Lengths, cache?.Position ?? 0), type);            // (B, L, H)
        (Tensor A, Tensor B, Tensor C, Tensor LogA)? discretized = null;
        var kernel = ConvolutionKernel(type, length, () =>
        {
            var (_, b, c, logA) = discretized ??= Discretize(type);
            var taps = Options.LMax is { } lMax ? Math.Min(length, lMax) : length;
            var weights = c.mul(b).mul(2);                                                    // (C, H, N')
            // K_l = 2 Re Σ C B̄ Ā^l (C, H, taps), with D added at tap 0 by the generation itself, except where kernel
            // dropout must not reach D.
            var dropKernel = Options.DropKernel > 0 && training;
            var k = Vandermonde.RealModesToTime(weights, logA, taps, atZero: dropKernel ? null : Precision.Cast(D, type));
            if (dropKernel) k = dropout(k, Options.DropKernel, training).add(SkipKernel(type, taps));
            return taps < length ? pad(k, [0, length - taps]) : k;                            // taps beyond l_max are zero
        });
        Tensor? freeResponse = null;
        if (cache is not null)
        {
            var (a, b, c, logA) = discretized ??= Discretize(type);
            var h0 = cache.State;                                                             // (B, H, N')
            if (cache.Position > 0)                                                           // 2 Re Σ C Ā^{t+1} h_0 (B, L, C, H)
                freeResponse = Vandermonde.RealModesToTime(c.mul(a.mul(h0).unsqueeze(1)).mul(2), logA, length).permute(0, 3, 1, 2);
            // h_n = Ā^n h_0 + Σ_{s<n} Ā^{n−1−s} B̄ u_s at each row's n valid tokens: right-aligned, the inputs end at L − 1.
            var counts = LengthMask.Counts(context.Lengths, x.size(0), length, cache.Position, x.device);     // (B)
            var ends = context.Lengths is null ? u : LengthMask.RightAlign(u, counts);
            var driven = Vandermonde.TimeToModes(ends.flip(1), logA).mul(b);                 // (B, H, N')
            var final = driven.add(logA.mul(counts.to(type).view(-1, 1, 1)).exp().mul(h0));
            cache.Keep(final);
        }
        return ConvolveAndPostProcess(u, kernel, freeResponse, x.dtype);
    }

    protected override Tensor StepToken(Tensor x, ComplexStateCache cache, StepContext context)
    {
        var type = Precision.ComputeType(x.dtype);
        var u = Precision.Cast(x, type);                                                                // (B, H)
        var (a, b, c, _) = Discretize(type);
        var h = a.mul(cache.State).add(b.mul(u.unsqueeze(-1)));                                  // (B, H, N')
        var y = torch.einsum("chn,bhn->bch", c, h).real.mul(2);                               // (B, C, H)
        cache.Keep(h);
        return PostProcess(y, u, x.dtype);
    }
}
