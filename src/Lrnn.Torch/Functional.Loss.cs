using Lrnn.Torch.Native;

namespace Lrnn.Torch;

public static partial class torch
{
    public static partial class nn
    {
        // Losses, as torch.nn.functional. `reduction` is "mean" | "sum" | "none".
        public static partial class functional
        {
            /// <summary>
            /// Cross-entropy of logits <paramref name="input"/> (N, C), (N, C, d1, ...) or (C) against class indices
            /// (N, d1, ...) (Int64) or class probabilities shaped like the input. Targets equal to
            /// <paramref name="ignore_index"/> contribute nothing; "mean" divides by the summed weight of the
            /// remaining targets, so a batch whose targets are ALL ignored gives 0/0 = NaN (libtorch and PyTorch
            /// alike; "sum" gives 0). Callers that can see such batches should use "sum" and their own divisor.
            /// </summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                string reduction = "mean", double label_smoothing = 0.0)
            {
                if (label_smoothing is < 0 or > 1)
                    throw new ArgumentOutOfRangeException(nameof(label_smoothing), label_smoothing, "label_smoothing must be in [0, 1].");
                var result = NativeMethods.lrnn_cross_entropy(input.Handle, target.Handle, weight?.Handle ?? TensorHandle.Null,
                    Reduction(reduction), ignore_index, label_smoothing);
                return result != IntPtr.Zero
                    ? new Tensor(result)
                    : throw ShapeDiagnostics.ClassTarget(nameof(cross_entropy), input, target, NativeErrors.Last());
            }

            /// <summary>Negative log-likelihood of log-probabilities (N, C, ...) at Int64 class indices (N, ...).</summary>
            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, string reduction = "mean")
            {
                var result = NativeMethods.lrnn_nll_loss(input.Handle, target.Handle, weight?.Handle ?? TensorHandle.Null,
                    Reduction(reduction), ignore_index);
                return result != IntPtr.Zero
                    ? new Tensor(result)
                    : throw ShapeDiagnostics.ClassTarget(nameof(nll_loss), input, target, NativeErrors.Last());
            }

            /// <summary>(input − target)², reduced; the shapes broadcast.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, string reduction = "mean") =>
                Tensor.FromNative(NativeMethods.lrnn_mse_loss(input.Handle, target.Handle, Reduction(reduction)));

            // at::Reduction::Reduction.
            private static int Reduction(string reduction) => reduction switch
            {
                "none" => 0,
                "mean" => 1,
                "sum" => 2,
                _ => throw new ArgumentException($"reduction must be \"mean\", \"sum\" or \"none\", got \"{reduction}\".", nameof(reduction)),
            };
        }
    }
}
