using Lrnn.Torch.Native;

namespace Lrnn.Torch;

public static partial class torch
{
    public static partial class nn
    {
        // The forward computations of the layers in Lrnn.Torch.Modules. Shape mistakes are caught here, with
        // both shapes in the message, before libtorch reports them in its own terms.
        public static partial class functional
        {
            /// <summary>y = x·wᵀ + b. x (..., in), weight (out, in), bias (out) → (..., out).</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                var x = input.shape;
                var w = weight.shape;
                if (w.Length != 2 || x.Length == 0 || x[^1] != w[1])
                    throw new ArgumentException($"linear: input {Tensor.Dims(x)} must end in the weight's in_features; weight is (out, in) = {Tensor.Dims(w)}.", nameof(input));
                return Tensor.FromNative(NativeMethods.lrnn_linear(input.Handle, weight.Handle, bias?.Handle ?? TensorHandle.Null));
            }

            /// <summary>
            /// Rows of <paramref name="weight"/> (num, dim) picked by integer <paramref name="ids"/> (...) → (..., dim).
            /// The row <paramref name="paddingIdx"/> (negative counts from the end) receives no gradient.
            /// </summary>
            public static Tensor embedding(Tensor ids, Tensor weight, long? paddingIdx = null)
            {
                if (ids.dtype is not (ScalarType.Int64 or ScalarType.Int32))
                    throw new ArgumentException($"embedding: ids must be Int64 or Int32 token indices, got a {ids.dtype} tensor of shape {Tensor.Dims(ids.shape)}.", nameof(ids));
                var w = weight.shape;
                if (w.Length != 2)
                    throw new ArgumentException($"embedding: weight must be (num_embeddings, dim), got {Tensor.Dims(w)}.", nameof(weight));
                var padding = paddingIdx is { } p ? NormalizePaddingIdx(p, w[0]) : -1;
                return Tensor.FromNative(NativeMethods.lrnn_embedding(ids.Handle, weight.Handle, padding));
            }

            internal static long NormalizePaddingIdx(long paddingIdx, long numEmbeddings)
            {
                var p = paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
                if (p < 0 || p >= numEmbeddings)
                    throw new ArgumentOutOfRangeException(nameof(paddingIdx), paddingIdx, $"padding_idx must be within [-{numEmbeddings}, {numEmbeddings}).");
                return p;
            }

            /// <summary>
            /// 1-D convolution. x (B, C_in, L) or (C_in, L), weight (C_out, C_in/groups, K), bias (C_out) →
            /// (B, C_out, L_out) with L_out = ⌊(L + 2·padding − dilation·(K−1) − 1)/stride⌋ + 1.
            /// </summary>
            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
                long dilation = 1, long groups = 1)
            {
                var x = input.shape;
                var w = weight.shape;
                if (w.Length != 3 || x.Length is not (2 or 3) || x[^2] != w[1] * groups)
                    throw new ArgumentException($"conv1d: input {Tensor.Dims(x)} must be (B, C_in, L) or (C_in, L) with C_in = weight.shape[1]·groups; " +
                                                $"weight is (C_out, C_in/groups, K) = {Tensor.Dims(w)}, groups = {groups}.", nameof(input));
                return Tensor.FromNative(NativeMethods.lrnn_conv1d(input.Handle, weight.Handle, bias?.Handle ?? TensorHandle.Null,
                    stride, padding, dilation, groups));
            }

            /// <summary>
            /// Normalises over the trailing <paramref name="normalizedShape"/> dimensions to zero mean and unit
            /// (biased) variance, then applies weight and bias. Float16/BFloat16 inputs are computed in float32.
            /// </summary>
            public static unsafe Tensor layer_norm(Tensor input, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                ArgumentNullException.ThrowIfNull(normalizedShape);
                var x = input.shape;
                if (x.Length < normalizedShape.Length || !x.AsSpan(x.Length - normalizedShape.Length).SequenceEqual(normalizedShape))
                    throw new ArgumentException($"layer_norm: input {Tensor.Dims(x)} must end in the normalized shape {Tensor.Dims(normalizedShape)}.", nameof(input));
                fixed (long* p = normalizedShape)
                    return Tensor.FromNative(NativeMethods.lrnn_layer_norm(input.Handle, p, normalizedShape.Length,
                        weight?.Handle ?? TensorHandle.Null, bias?.Handle ?? TensorHandle.Null, eps));
            }

            /// <summary>
            /// y = x·rsqrt(mean(x², −1) + eps)·weight over the last dimension. Float16/BFloat16 inputs are computed
            /// in float32 and the result cast back.
            /// </summary>
            public static Tensor rms_norm(Tensor input, Tensor? weight = null, double eps = 1e-5)
            {
                if (weight is null) return Tensor.FromNative(NativeMethods.lrnn_rms_norm(input.Handle, TensorHandle.Null, eps));
                // One autograd node with a hand-written backward (fused_rms_norm.cpp) instead of six composite ones.
                return rms_norm_fused(input, weight, eps);
            }

            /// <summary>
            /// RMSNorm, <c>y = x · rsqrt(mean(x², -1) + eps) · weight</c>, as one autograd node that saves only x,
            /// weight and one reciprocal RMS per row (fused_rms_norm.cpp, a hand-written backward; autograd_function.h
            /// explains how to add such an op). x: (..., D), weight: (D); y has x's shape and dtype. bf16/f16 inputs are
            /// normalised in float32.
            /// </summary>
            public static Tensor rms_norm_fused(Tensor input, Tensor weight, double eps = 1e-5)
            {
                ArgumentNullException.ThrowIfNull(input);
                ArgumentNullException.ThrowIfNull(weight);
                // Shapes are checked natively (ArgumentException with both shapes): once per call, not on both sides.
                return Tensor.FromNative(NativeMethods.lrnn_rms_norm_fused(input.Handle, weight.Handle, eps));
            }

            /// <summary>When <paramref name="training"/>, zeroes each element with probability <paramref name="p"/> and
            /// scales the others by 1/(1−p); otherwise returns a new handle on the input.</summary>
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                if (p is < 0 or > 1 || double.IsNaN(p))
                    throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be within [0, 1].");
                return Tensor.FromNative(NativeMethods.lrnn_dropout(input.Handle, p, training ? 1 : 0));
            }
        }
    }
}
