using Lrnn.Torch.Native;

namespace Lrnn.Torch;

/// <summary>Which end of the key sequence a causal mask lines the queries up with (they differ only when Lq ≠ Lk).</summary>
public enum CausalAlignment
{
    /// <summary>Query i sees keys 0..i. PyTorch's <c>is_causal=True</c>; right for training and prefill (Lq = Lk).</summary>
    TopLeft = 1,

    /// <summary>
    /// Query i sees keys 0..i + (Lk − Lq): the queries are the LAST Lq positions of the key sequence. Right for
    /// cached decoding, where Lq new tokens attend to Lk = cached + Lq keys.
    /// </summary>
    BottomRight = 2,
}

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            /// <summary>
            /// softmax(q·kᵀ·scale + mask)·v for query (..., Lq, E), key (..., Lk, E), value (..., Lk, Ev) → (..., Lq, Ev).
            /// <para><paramref name="attn_mask"/>: bool (true = may attend) or additive (added to the scores), broadcastable to
            /// (..., Lq, Lk). <paramref name="is_causal"/> adds a causal mask aligned as <paramref name="causal_alignment"/> says:
            /// the default <see cref="CausalAlignment.TopLeft"/> is PyTorch's (query i sees keys 0..i), which MIS-masks a
            /// cached decoding step with Lq &gt; 1; pass <see cref="CausalAlignment.BottomRight"/> there. Unlike PyTorch, a
            /// causal mask and <paramref name="attn_mask"/> may be combined (both must allow a position).
            /// A query row that may attend to nothing gives NaN.</para>
            /// <para><paramref name="scale"/> defaults to 1/√E. <paramref name="dropout_p"/> drops attention weights whenever
            /// it is &gt; 0: pass 0 outside training. libtorch ≥ 2.0 runs the fused kernels; 1.13 the same math explicitly
            /// (scores of half inputs are normalised in float32).</para>
            /// </summary>
            public static unsafe Tensor scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask = null,
                double dropout_p = 0.0, bool is_causal = false, double? scale = null, CausalAlignment causal_alignment = CausalAlignment.TopLeft)
            {
                if (dropout_p is < 0 or > 1)
                    throw new ArgumentOutOfRangeException(nameof(dropout_p), dropout_p, "dropout_p must be in [0, 1].");
                if (causal_alignment is not (CausalAlignment.TopLeft or CausalAlignment.BottomRight))
                    throw new ArgumentOutOfRangeException(nameof(causal_alignment), causal_alignment, "unknown causal alignment");
                // Checked before the call: libtorch 2.x's fused CPU kernels accept some mismatched shapes silently.
                if (ShapeDiagnostics.AttentionMismatch(query, key, value) is { } mismatch) throw mismatch;
                var s = scale.GetValueOrDefault();
                var result = NativeMethods.lrnn_scaled_dot_product_attention(query.Handle, key.Handle, value.Handle,
                    attn_mask?.Handle ?? TensorHandle.Null, dropout_p, is_causal ? (int)causal_alignment : 0, scale.HasValue ? &s : null);
                return result != IntPtr.Zero
                    ? new Tensor(result)
                    : throw NativeErrors.Last();
            }
        }
    }
}
