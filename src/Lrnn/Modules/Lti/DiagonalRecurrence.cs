using Lrnn.Inference;
using Lrnn.Torch;

namespace Lrnn.Modules.Lti;

/// <summary>
/// The state path of a diagonal complex LTI system, shared by the LRU and LTI S5:
/// <code>h_t = Ā ⊙ h_{t−1} + v_t     (Ā: N complex, |Ā| &lt; 1; v: the discretised input B̄u_t)</code>
/// The full sequence is the causal convolution h_t = Σ_{s≤t} Ā^{t−s} v_s with the kernel Ā^l = exp(l·log Ā) (never
/// repeated products, so long sequences stay accurate), by FFT. A cache that already holds a state h_0 adds
/// Ā^{t+1} h_0, and is left holding the last state, so a prefill continues exactly where the cache stood.
/// </summary>
public static class DiagonalRecurrence
{
    /// <summary>
    /// v (B, L, N) complex, <paramref name="logA"/> = log Ā (N) complex → every state h (B, L, N); continues and
    /// continues <paramref name="cache"/> when given, leaving in it each row's state after its last valid token
    /// (<paramref name="lengths"/>: see <see cref="LengthMask"/>). Call inside a dispose scope.
    /// </summary>
    public static Tensor States(Tensor v, Tensor logA, ComplexStateCache? cache, Tensor? lengths = null)
    {
        var length = v.size(1);
        var realType = Precision.ComputeType(logA.dtype);
        var l = torch.arange(length, realType, v.device).unsqueeze(-1);                  // (L, 1)
        var kernel = l.mul(logA).exp();                                                  // (L, N): Ā^l
        var states = FftConvolution.Causal(v, kernel.unsqueeze(0), dim: 1);             // (B, L, N)
        if (cache is null) return states;

        if (cache.Position > 0)
            states = states.add(kernel.mul(logA.exp()).unsqueeze(0).mul(cache.State.unsqueeze(1)));  // + Ā^{t+1} h_0
        var last = lengths is null
            ? states.select(1, length - 1)
            : LengthMask.LastValid(states, LengthMask.Counts(lengths, v.size(0), length, cache.Position, v.device), cache.State);
        cache.Keep(last);
        return states;
    }

    /// <summary>One token: h = Ā ⊙ h_cache + v (B, N); the cache then holds h. Call inside a dispose scope.</summary>
    public static Tensor Step(Tensor v, Tensor aBar, ComplexStateCache cache)
    {
        var h = aBar.mul(cache.State).add(v);                                            // (B, N)
        cache.Keep(h);
        return h;
    }
}
