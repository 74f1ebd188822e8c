using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Modules.Lti;
using Lrnn.Torch;
using static Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// S4, the diagonal-plus-low-rank structured SSM (Gu et al. 2022, "Efficiently Modeling Long Sequences with
/// Structured State Spaces"), as lrnnx's <c>lrnnx/models/lti/s4.py</c>: its kwargs, parameters, duplicated
/// <c>layer.kernel.*</c> keys and post-processing are lrnnx's (see <see cref="S4Block"/>). Per feature:
/// A = Λ − P Pᴴ (Λ = −e^{A_real} − i·A_imag, NPLR HiPPO-LegS at init), bilinear discretisation, and the maths of
/// <see cref="S4DplrKernel"/>.
/// <para>
/// As in lrnnx, the parameter <c>C</c> holds C̃ = (I − Ā^{L_k})ᵀ C once a kernel of length L_k has been asked for,
/// with L_k in the buffer <c>layer.kernel.l_kernel</c> (0: C is still C). The first forward rewrites C in place at
/// L_k = l_max (or the sequence length); a longer sequence doubles L_k (C̃ ← (I + Ā^{L_k})ᵀ C̃) until it fits, except
/// while training with gradients, where the rewrite would leave an optimizer's moments describing the old C̃ and is
/// refused (<see cref="S4KernelLengthException"/>); a shorter one uses the kernel of length L_k, truncated. A PyTorch
/// checkpoint therefore loads and continues as is. L_k is mirrored on the host, so a forward reads no device scalar.
/// </para>
/// The full-sequence path convolves with the kernel by FFT. Decoding runs the dense recurrence over the M = N
/// full-basis states: h_t = Ā h_{t−1} + B̄ u_t, y_t = Re(C h_t) with C recovered from C̃ (the conjugate half is
/// part of the state, so no factor 2). A prefill leaves h_L in the cache (<see cref="S4DplrKernel.FinalState"/>)
/// and, when continuing a cache, adds the free response Re(C Ā^{t+1} h_0).
/// </summary>
public sealed class S4 : S4Block
{
    public static readonly MixerSchema Schema = S4Options.Schema(withDisc: false);

    public static IEnumerable<string> ModelProblems(LrnnConfig config, MixerArguments args) => S4Options.Problems("S4", config, args);

    public S4(MixerSpec spec)
        : this(spec.Config.DModel, spec.Config.DState, S4Options.From(spec.Arguments, withDisc: false), spec.Dtype, spec.Device)
    {
    }

    public S4(long dModel, long dState = 64, S4Options? options = null, ScalarType? dtype = null, Device? device = null)
        : base("S4", dModel, dState, options ?? new S4Options(), lowRank: true, dtype, device)
    {
    }

    protected override long StateSize => 2 * Modes;

    // L_k on the host. The buffer stays the checkpoint's truth; it is read again (one .item(), one device sync) only when
    // it is not the storage and version recorded here: after load_state_dict, a copy_/fill_ by hand or a move.
    private readonly Lock _kernelLengthLock = new();
    private Tensor? _kernelLengthView;
    private long _kernelLengthVersion;
    private long _kernelLength;

    /// <summary>L_k: the kernel length C̃ is set up for (lrnnx's <c>l_kernel</c>), without a device sync while the buffer is unchanged.</summary>
    public long KernelLength
    {
        get
        {
            var buffer = layer.kernel.l_kernel!;
            lock (_kernelLengthLock)
            {
                if (_kernelLengthView is null || !buffer.is_alias_of(_kernelLengthView) || buffer._version != _kernelLengthVersion)
                    Record(buffer, buffer.item<long>());
                return _kernelLength;
            }
        }
    }

    private void Record(Tensor buffer, long length)
    {
        _kernelLengthView?.Dispose();
        _kernelLengthView = buffer.detach().DetachFromDisposeScope();
        _kernelLengthVersion = buffer._version;
        _kernelLength = length;
    }

    /// <summary>
    /// Makes L_k ≥ <paramref name="taps"/> as lrnnx's kernel does, rewriting C̃; returns L_k. Doubling rewrites the
    /// parameter C in place, which an optimizer's moments (AdamW's m and v of the old C̃) would not follow, so it is
    /// refused while training with gradients: set l_max to the longest training sequence.
    /// </summary>
    private long PrepareKernelLength(long taps, ScalarType type)
    {
        var current = KernelLength;
        if (current == 0 && Options.LMax is { } lMax) current = SetUpC(current, lMax, type);
        if (taps > current && current > 0 && training && torch.is_grad_enabled())
            throw new S4KernelLengthException(
                $"S4: a sequence of {taps} tokens needs the kernel length L_k = {current} doubled, which rewrites the parameter C in " +
                "place (C̃ ← (I + Ā^L_k)ᵀ C̃) under the optimizer's moments; refused while training with gradients. Set l_max to " +
                "the longest training sequence, or make the first training forward the longest one");
        while (taps > current) current = SetUpC(current, taps, type);
        return current;
    }

    /// <summary>
    /// lrnnx's <c>_setup_C</c>: from L_k = <paramref name="current"/> = 0, C ← (I − Ā^L)ᵀ C and L_k = L; otherwise
    /// C̃ ← (I + Ā^{L_k})ᵀ C̃ and L_k doubles, since (I − Ā^{L_k})(I + Ā^{L_k}) = I − Ā^{2L_k}. Returns the new L_k.
    /// </summary>
    private long SetUpC(long current, long length, ScalarType type)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ssm = Continuous(type);
        var (dA, _) = S4DplrKernel.Bilinear(ssm.Dt, ssm.A, ssm.B, ssm.P!);
        var c = S4DplrKernel.Conjugated(ssm.C);                                                // (C, H, M)
        var transported = torch.einsum("hnm,chn->chm", S4DplrKernel.MatrixPower(dA, current == 0 ? length : current), c);
        var updated = (current == 0 ? c.sub(transported) : c.add(transported)).narrow(-1, 0, Modes);
        C.copy_(torch.view_as_real(updated.contiguous()).to(C.dtype));
        var updatedLength = current == 0 ? length : 2 * current;
        var buffer = layer.kernel.l_kernel!;
        buffer.fill_(updatedLength);
        lock (_kernelLengthLock) Record(buffer, updatedLength);
        return updatedLength;
    }

    /// <summary>C̃ depends on L_k as well.</summary>
    protected override IEnumerable<Tensor> KernelSources() => [.. base.KernelSources(), layer.kernel.l_kernel!];

    protected override Tensor Forward(Tensor x, MixerContext context, ComplexStateCache? state)
    {
        var cache = state is null ? null : Own(state);
        var length = x.size(1);
        cache?.ClearStepMatrices();

        var type = Precision.ComputeType(x.dtype);
        var complexType = Precision.ComplexType(type);
        var u = Precision.Cast(LengthMask.Apply(x, context.Lengths, cache?.Position ?? 0), type);            // (B, L, H)
        var taps = Options.LMax is { } lMax ? Math.Min(length, lMax) : length;
        var kernelLength = PrepareKernelLength(taps, type);
        ContinuousSsm? continuous = null;
        ContinuousSsm Ssm() => continuous ??= Continuous(type);

        var kernel = ConvolutionKernel(type, length, () =>
        {
            var ssm = Ssm();
            var k = S4DplrKernel.Kernel(ssm.Dt, ssm.A, ssm.B, ssm.C, ssm.P!, kernelLength).narrow(-1, 0, taps);   // (C, H, taps)
            if (Options.DropKernel > 0) k = dropout(k, Options.DropKernel, training);
            if (taps < length) k = pad(k, [0, length - taps]);                                // taps beyond l_max are zero
            return k.add(SkipKernel(type, length));                                           // (C, H, L)
        });

        Tensor? freeResponse = null;
        if (cache is not null)
        {
            var ssm = Ssm();
            var (dA, dB) = S4DplrKernel.Bilinear(ssm.Dt, ssm.A, ssm.B, ssm.P!);              // (H, M, M), (H, M)
            var h0 = cache.State;                                                             // (B, H, M)
            if (cache.Position > 0)
            {
                var output = S4DplrKernel.OutputRow(dA, S4DplrKernel.Conjugated(ssm.C), kernelLength);   // (C, H, M)
                freeResponse = torch.einsum("chm,blhm->blch", output, S4DplrKernel.FreeResponse(dA, h0, length)).real;   // (B, L, C, H)
            }
            var drive = u.to(complexType).unsqueeze(-1).mul(dB);                              // (B, L, H, M)
            // [h_0, B̄u_0, …] right-aligned at each row's n valid tokens, so the reduction ends at the row's last one.
            var sequence = torch.cat([h0.unsqueeze(1), drive], 1);                           // (B, L+1, H, M)
            if (context.Lengths is not null)
                sequence = LengthMask.RightAlign(sequence, LengthMask.Counts(context.Lengths, x.size(0), length, cache.Position, x.device).add(1));
            var final = S4DplrKernel.FinalState(dA, sequence);
            cache.Keep(final);
        }
        return ConvolveAndPostProcess(u, kernel, freeResponse, x.dtype);
    }

    private static S4Cache Own(ComplexStateCache cache) =>
        cache as S4Cache ?? throw new ArgumentException($"expected an S4Cache, got a {cache.GetType().Name}: use the cache allocated by this mixer");

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new S4Cache(batch, maxSeqLen, DModel, StateSize, dtype, device);

    /// <summary>
    /// dA, dB and the output row of the dense step. Decoding (no gradient) builds them once per cache; with gradients
    /// enabled they are rebuilt every step so that the gradients reach the weights. Call inside a dispose scope.
    /// </summary>
    private (Tensor DA, Tensor DB, Tensor Output) StepMatrices(S4Cache cache, ScalarType type)
    {
        var grad = torch.is_grad_enabled();
        if (!grad && cache.StepMatrices is { } m && m.Type == type) return (m.DA, m.DB, m.Output);
        var ssm = Continuous(type);
        var (dA, dB) = S4DplrKernel.Bilinear(ssm.Dt, ssm.A, ssm.B, ssm.P!);
        var output = S4DplrKernel.OutputRow(dA, S4DplrKernel.Conjugated(ssm.C), KernelLength);
        if (grad) return (dA, dB, output);
        cache.SetStepMatrices(type, dA, dB, output);
        return (dA, dB, output);
    }

    protected override Tensor StepToken(Tensor x, ComplexStateCache state, StepContext context)
    {
        var cache = Own(state);
        var type = Precision.ComputeType(x.dtype);
        var u = Precision.Cast(x, type);                                                                // (B, H)
        var (dA, dB, output) = StepMatrices(cache, type);                                        // (H, M, M), (H, M), (C, H, M)
        var h = torch.einsum("hmn,bhn->bhm", dA, cache.State).add(dB.mul(u.unsqueeze(-1)));      // (B, H, M)
        var y = torch.einsum("chm,bhm->bch", output, h).real;                                 // (B, C, H)
        cache.Keep(h);
        return PostProcess(y, u, x.dtype);
    }

    public override void Dispose()
    {
        _kernelLengthView?.Dispose();
        _kernelLengthView = null;
        base.Dispose();
    }
}

/// <summary>An S4 kernel length that cannot change now: doubling it while training would rewrite C under the optimizer.</summary>
public sealed class S4KernelLengthException(string message) : InvalidOperationException(message);
