using Lrnn.Ops.Native;
using Lrnn.Torch;
using Lrnn.Torch.Native;

namespace Lrnn.Ops;

public static partial class ops
{
    /// <summary>
    /// Per-token cross-entropy of the logits <c>ℓ = softcap(scale ⊙ (input·Wᵀ) + bias)</c> without ever holding the
    /// (N, V) logits: one C++ autograd node that works through chunks of <paramref name="chunk_size"/> tokens, keeps
    /// only one log-sum-exp per token, recomputes each chunk's logits in backward and accumulates dW in float32.
    /// </summary>
    /// <param name="input">Hidden states (N, H).</param>
    /// <param name="weights">The output matrix (V, H), or its row blocks (V_k, H) in vocabulary order (a split
    /// vocabulary: no (V, H) concatenation is made). One dtype for all blocks.</param>
    /// <param name="target">Int64 labels (N) in [0, V) or <paramref name="ignore_index"/>.</param>
    /// <param name="bias">Optional (V).</param>
    /// <param name="scale">Optional per-vocabulary multiplier of the logits (V) (nGPT's scaled head).</param>
    /// <param name="ignore_index">Targets with this value contribute 0 and get no gradient.</param>
    /// <param name="label_smoothing">ε in [0, 1], PyTorch's definition.</param>
    /// <param name="softcap">When &gt; 0, logits are capped as <c>c·tanh(ℓ/c)</c>.</param>
    /// <param name="chunk_size">Tokens per chunk; 0 picks Liger's size (a chunk's logits about as large as the input).</param>
    /// <returns>
    /// <c>nll</c> (N): −log p(target), label-smoothed when asked, and <c>lse</c> (N): log Σ exp ℓ; both float32
    /// (float64 for float64 inputs), 0 at ignored tokens, and both differentiable with any upstream gradient, so a
    /// caller builds any reduction and the z-loss (m·lse²) from them exactly.
    /// </returns>
    public static unsafe (Tensor nll, Tensor lse) fused_linear_cross_entropy(Tensor input, IReadOnlyList<Tensor> weights,
        Tensor target, Tensor? bias = null, Tensor? scale = null, long ignore_index = -100, double label_smoothing = 0.0,
        double softcap = 0.0, long chunk_size = 0)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(target);
        if (weights.Count == 0) throw new ArgumentException("At least one weight block is needed.", nameof(weights));
        if (label_smoothing is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(label_smoothing), label_smoothing, "label_smoothing must be in [0, 1].");
        if (!(softcap >= 0)) throw new ArgumentOutOfRangeException(nameof(softcap), softcap, "softcap must be 0 (off) or positive.");
        ArgumentOutOfRangeException.ThrowIfNegative(chunk_size);
        using var blocks = new TensorHandleArray(weights);
        int status;
        IntPtr nll, lse;
        fixed (IntPtr* w = blocks.Pointers)
            status = OpsNativeMethods.lrnn_fused_linear_cross_entropy(input.Handle, w, blocks.Length, bias?.Handle ?? TensorHandle.Null,
                scale?.Handle ?? TensorHandle.Null, target.Handle, ignore_index, label_smoothing, softcap, chunk_size, out nll, out lse);
        NativeErrors.Check(status);
        return (new Tensor(nll), new Tensor(lse));
    }

    /// <summary>The single-matrix form: weight (V, H).</summary>
    public static (Tensor nll, Tensor lse) fused_linear_cross_entropy(Tensor input, Tensor weight, Tensor target, Tensor? bias = null,
        Tensor? scale = null, long ignore_index = -100, double label_smoothing = 0.0, double softcap = 0.0, long chunk_size = 0) =>
        fused_linear_cross_entropy(input, [weight], target, bias, scale, ignore_index, label_smoothing, softcap, chunk_size);
}
