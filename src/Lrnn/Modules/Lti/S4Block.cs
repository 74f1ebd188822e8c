using Lrnn.Inference;
using Lrnn.Ops;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using static Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Modules.Lti;

/// <summary>
/// What S4 and S4D share (lrnnx's <c>S4</c>/<c>S4D</c> block around <c>FFTConvS4</c>): the SSM parameters under
/// lrnnx's names, shapes and initialisation, their duplicates under <c>layer.kernel.*</c>, the padding mask, and the
/// post-processing, reproduced exactly:
/// <code>
/// x ← x ⊙ 1[t &lt; lengths[b]]                               (B, L, H)
/// y = SSM_conv(x) + D·x                                    (B, L, C, H)  C = channels
/// y = output_linear(dropout(GELU(GELU(flatten_(c h)(y)))))  output_linear = Linear(C·H → H) then GELU
/// </code>
/// Stored parameters (N' = d_state/2 conjugate pairs, S = n_ssm): inv_dt (H, 1) or (H, N'); C (C, H, N', 2) and
/// B (1, S, N', 2) as view_as_real of complex tensors; A_real, A_imag (S, N') through <see cref="S4Transform"/>
/// (A = −f(A_real) − i·g(A_imag)); S4 adds P (rank, S, N', 2); D (C, H). SSM copies are tiled over the features:
/// feature h uses SSM h mod S. All SSM arithmetic runs in float32/complex64 (float64 for float64 inputs), whatever
/// the model's dtype.
/// </summary>
public abstract class S4Block : Mixer<ComplexStateCache>
{
    protected S4Block(string name, long dModel, long dState, S4Options options, bool lowRank, ScalarType? dtype, Device? device)
    {
        if (dModel <= 0) throw new ArgumentException($"{name}: d_model must be positive, got {dModel}");
        if (dState < 2 || dState % 2 != 0) throw new ArgumentException($"{name}: d_state must be even (conjugate pairs), got {dState}");
        var nSsm = options.NSsm ?? dModel;
        if (nSsm <= 0 || dModel % nSsm != 0) throw new ArgumentException($"{name}: n_ssm ({nSsm}) must divide d_model ({dModel})");
        if (options.Channels < 1 || options.Rank < 1) throw new ArgumentException($"{name}: channels and rank must be ≥ 1");
        DModel = dModel;
        Modes = dState / 2;
        Options = options;
        Repeat = dModel / nSsm;
        var type = dtype ?? ScalarType.Float32;

        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var ssm = S4Initialization.Combination(options.Init, (int)dState, (int)options.Rank, (int)nSsm, options.InitOptions);
            var c = options.Deterministic
                // C = Vᴴ e₀ per SSM copy (lrnnx's deterministic C), then tiled over the features and channels.
                ? ssm.V.select(1, 0).conj().repeat(Repeat, 1).unsqueeze(0).repeat(options.Channels, 1, 1)
                : S4Initialization.ComplexNormal([options.Channels, dModel, Modes]);
            inv_dt = RegisterParameter("inv_dt", Place(InitialInvDt(dModel, Modes, options), type, device));
            C = RegisterParameter("C", Stored(c.conj(), type, device));                               // (C, H, N', 2)
            B = RegisterParameter("B", Stored(ssm.B.unsqueeze(0), type, device));                     // (1, S, N', 2)
            A_real = RegisterParameter("A_real", Place(S4Transform.Invert(ssm.A.real.neg(), options.RealTransform), type, device));
            A_imag = RegisterParameter("A_imag", Place(S4Transform.Invert(ssm.A.imag.neg(), options.ImagTransform), type, device));
            if (lowRank) P = RegisterParameter("P", Stored(ssm.P, type, device));                    // (rank, S, N', 2)
            D = RegisterParameter("D", torch.randn([options.Channels, dModel], dtype: type, device: device));
        }

        IEnumerable<(string, Tensor)> kernelParameters =
            [("A_real", A_real), ("A_imag", A_imag), ("B", B), ("C", C), .. P is null ? [] : new[] { ("P", P) }, ("inv_dt", inv_dt)];
        layer = RegisterModule("layer", new S4KernelLayer(new S4KernelMirror(kernelParameters,
            lowRank ? torch.zeros([], ScalarType.Int64, device) : null)));
        if (options.FinalAct is not null)
            output_linear = RegisterModule("output_linear", new ModuleList<Linear>(new Linear(options.Channels * dModel, dModel, true, dtype, device)));
    }

    /// <summary>Δ's stored form, as lrnnx's <c>init_dt</c> (deterministic: exp of the log-spaced Δ, which lrnnx then reads as log Δ).</summary>
    private static Tensor InitialInvDt(long dModel, long modes, S4Options o)
    {
        var (logMin, logMax) = (Math.Log(o.DtMin), Math.Log(o.DtMax));
        Tensor invDt;
        if (o.Deterministic)
            invDt = torch.linspace(logMin, logMax, dModel, ScalarType.Float64).exp().unsqueeze(-1);
        else
        {
            invDt = torch.rand(o.DtTie ? [dModel, 1] : [dModel, modes], dtype: ScalarType.Float64);
            invDt = invDt.mul(logMax - logMin).add(logMin);
            if (o.DtTransform != "exp") invDt = S4Transform.Invert(invDt.exp(), o.DtTransform);
        }
        // dt_fast stores asinh(inv_dt) and reads sinh of it.
        return o.DtFast ? invDt.add(invDt.square().add(1).sqrt()).log() : invDt;
    }

    private static Tensor Stored(Tensor complex, ScalarType type, Device? device) =>
        Place(torch.view_as_real(complex.contiguous()), type, device);

    /// <summary>A fresh leaf copy of <paramref name="t"/> in <paramref name="type"/> on <paramref name="device"/> (null: the CPU).</summary>
    private static Tensor Place(Tensor t, ScalarType type, Device? device) => t.to(type, device ?? Device.CPU).clone();

    public override long DModel { get; }
    /// <summary>N' = d_state / 2: the conjugate pairs.</summary>
    protected long Modes { get; }
    protected S4Options Options { get; }
    /// <summary>Features per SSM copy: d_model / n_ssm.</summary>
    protected long Repeat { get; }

    // Named as lrnnx's attributes: these are the state-dict keys.
    public Tensor inv_dt { get; }        // (H, 1) or (H, N')
    public Tensor C { get; }             // (channels, H, N', 2)
    public Tensor B { get; }             // (1, n_ssm, N', 2)
    public Tensor A_real { get; }        // (n_ssm, N')
    public Tensor A_imag { get; }        // (n_ssm, N')
    public Tensor? P { get; }            // (rank, n_ssm, N', 2), S4 only
    public Tensor D { get; }             // (channels, H)
    public S4KernelLayer layer { get; }
    public ModuleList<Linear>? output_linear { get; }

    /// <summary>The continuous-time SSM in the compute precision: Δ (H, 1|N'), A (H, N'), B (H, N'), C (channels, H, N'), P (rank, H, N').</summary>
    protected sealed record ContinuousSsm(Tensor Dt, Tensor A, Tensor B, Tensor C, Tensor? P);

    /// <summary>Call inside a dispose scope.</summary>
    protected ContinuousSsm Continuous(ScalarType type)
    {
        var stored = Precision.Cast(inv_dt, type);
        var dt = S4Transform.Apply(Options.DtFast ? stored.exp().sub(stored.neg().exp()).mul(0.5) : stored, Options.DtTransform);
        var a = Tiled(torch.complex(S4Transform.Apply(Precision.Cast(A_real, type), Options.RealTransform).neg(),
                                    S4Transform.Apply(Precision.Cast(A_imag, type), Options.ImagTransform).neg()), 0);
        var b = Tiled(torch.view_as_complex(Precision.Cast(B, type)).select(0, 0), 0);
        var c = torch.view_as_complex(Precision.Cast(C, type));
        var p = P is null ? null : Tiled(torch.view_as_complex(Precision.Cast(P, type)), 1);
        return new ContinuousSsm(dt, a, b, c, p);
    }

    private readonly ConvolutionKernelCache _kernelCache = new();

    /// <summary>
    /// Whether a forward without gradients in eval mode reuses the convolution kernel it generated last while the SSM
    /// parameters are unchanged (default true; see <see cref="ConvolutionKernelCache"/> for how a change is detected).
    /// Training forwards and forwards with gradients always generate it, and free a cached one. The cached kernel takes
    /// C·H·L floats; setting this to false frees it.
    /// </summary>
    public bool CacheKernel
    {
        get => _cacheKernel;
        set
        {
            _cacheKernel = value;
            if (!value) _kernelCache.Clear();
        }
    }

    private bool _cacheKernel = true;

    /// <summary>The tensors the convolution kernel is made from: the SSM parameters, D, and what a subclass adds.</summary>
    protected virtual IEnumerable<Tensor> KernelSources() =>
        [inv_dt, C, B, A_real, A_imag, .. P is null ? [] : new[] { P }, D];

    /// <summary>
    /// The convolution kernel (C, H, <paramref name="length"/>) with the D skip in it, from
    /// <paramref name="generate"/>, or the cached one when <see cref="CacheKernel"/> applies and nothing it was made from
    /// has changed. The result belongs to the current dispose scope.
    /// </summary>
    protected Tensor ConvolutionKernel(ScalarType type, long length, Func<Tensor> generate)
    {
        if (!CacheKernel || training || torch.is_grad_enabled())
        {
            _kernelCache.Clear();   // weights are about to change, or caching is off: hold no memory for it
            return Generate();
        }
        var sources = KernelSources().ToList();
        if (_kernelCache.Lookup(sources, length, type) is { } cached) return cached;
        var kernel = Generate();
        _kernelCache.Store(sources, length, type, kernel);
        return kernel;

        Tensor Generate()
        {
            KernelGenerations++;
            return generate();
        }
    }

    /// <summary>Whether a generated kernel is held for reuse (for the cache's tests).</summary>
    internal bool HoldsCachedKernel => !_kernelCache.IsEmpty;

    /// <summary>How many convolution kernels this block has generated (for the cache's tests).</summary>
    internal int KernelGenerations { get; private set; }

    /// <summary>After a move or cast the cached kernel is stale and holds the old storage: free it.</summary>
    protected override void OnConverted() => _kernelCache.Clear();

    public override void Dispose()
    {
        _kernelCache.Dispose();
        base.Dispose();
    }

    /// <summary>An SSM-copy axis (<paramref name="dim"/>) tiled over the features: Repeat copies, none when there is one SSM per feature.</summary>
    private Tensor Tiled(Tensor t, int dim)
    {
        if (Repeat == 1) return t;
        var repeats = Enumerable.Repeat(1L, (int)t.dim()).ToArray();
        repeats[dim] = Repeat;
        return t.repeat(repeats);
    }

    /// <summary>
    /// The D skip as a convolution kernel: D (C, H) at tap 0 of <paramref name="length"/> taps, in
    /// <paramref name="type"/>. y_t += D·u_t is the convolution with D·δ_t, so adding this to the SSM kernel folds the
    /// skip into the FFT convolution (two fewer full-size passes than adding D·u to its output).
    /// </summary>
    protected Tensor SkipKernel(ScalarType type, long length) =>
        torch.nn.functional.pad(Precision.Cast(D, type).unsqueeze(-1), [0, length - 1]);      // (C, H, L)

    /// <summary>
    /// The full-sequence path after the kernel: u (B, L, H) in the compute type, the SSM kernel (C, H, ≥ L) with the D
    /// skip already in it, and the free response of a cached state (B, L, C, H) or null → the block's output (B, L, H)
    /// in <paramref name="outType"/>: convolve, (+ free response), GELU, GELU, flatten, dropout, output_linear (+ GELU).
    /// </summary>
    protected Tensor ConvolveAndPostProcess(Tensor u, Tensor kernel, Tensor? freeResponse, ScalarType outType)
    {
        using var scope = torch.NewDisposeScope();
        // The two GELUs (conv_activation, mult_activation) run inside the convolution, as it writes y, unless a free
        // response has to be added before them. Out of place either way: the second GELU's backward needs its input.
        var activated = freeResponse is null
            ? ops.fft_causal_conv(u, kernel, gelus: 2)
            : gelu(gelu(ops.fft_causal_conv(u, kernel).add(freeResponse)));                  // (B, L, C, H)
        // lrnnx flattens (c h) by default, a view of the contiguous (B, L, C, H); (h c) with swap_channels, a copy.
        var rows = (Options.SwapChannels ? activated.transpose(-1, -2) : activated).flatten(-2);   // (B, L, C·H)
        return Project(rows, outType).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The step path's post-processing: y (B, channels, H) of the SSM and its input u (B, H), both in the compute type →
    /// the block's output (B, H) in <paramref name="outType"/>: D skip, GELU, GELU, flatten, dropout, output_linear (+ GELU).
    /// </summary>
    protected Tensor PostProcess(Tensor y, Tensor u, ScalarType outType)
    {
        using var scope = torch.NewDisposeScope();
        var withSkip = y.add(u.unsqueeze(-2).mul(Precision.Cast(D, y.dtype)));                          // (..., C, H)
        // lrnnx flattens (c h) by default and (h c) with swap_channels.
        var flat = (Options.SwapChannels ? withSkip.transpose(-1, -2) : withSkip).flatten(-2);  // (..., C·H)
        return Project(gelu(gelu(flat)), outType).MoveToOuterDisposeScope();
    }

    /// <summary>The activated SSM output (..., C·H) → dropout, cast to <paramref name="outType"/>, output_linear (+ GELU).</summary>
    private Tensor Project(Tensor activated, ScalarType outType)
    {
        var z = Options.Dropout > 0 ? dropout(activated, Options.Dropout, training) : activated;
        z = Precision.Cast(z, outType);
        return output_linear is null ? z : gelu(output_linear[0].forward(z));
    }

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new ComplexStateCache(batch, maxSeqLen, [DModel, StateSize], dtype, device);

    /// <summary>Complex states per feature in the cache.</summary>
    protected abstract long StateSize { get; }
}
