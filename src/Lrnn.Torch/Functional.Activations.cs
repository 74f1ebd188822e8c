using Lrnn.Torch.Native;

namespace Lrnn.Torch;

public static partial class torch
{
    public static partial class nn
    {
        // Activation functions, as torch.nn.functional.
        public static partial class functional
        {
            public static Tensor sigmoid(Tensor input) => input.sigmoid();
            public static Tensor tanh(Tensor input) => input.tanh();
            public static Tensor relu(Tensor input) => input.relu();

            /// <summary>x·sigmoid(x) (also called swish).</summary>
            public static Tensor silu(Tensor input) => Tensor.FromNative(NativeMethods.lrnn_silu(input.Handle));

            /// <summary>x·Φ(x); <paramref name="approximate"/> "tanh" uses 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
            public static Tensor gelu(Tensor input, string approximate = "none")
            {
                var mode = approximate switch
                {
                    "none" => 0,
                    "tanh" => 1,
                    _ => throw new ArgumentException($"gelu: approximate must be \"none\" or \"tanh\", got \"{approximate}\".", nameof(approximate)),
                };
                return Tensor.FromNative(NativeMethods.lrnn_gelu(input.Handle, mode));
            }

            /// <summary>log(1 + exp(βx))/β, and x itself where βx &gt; <paramref name="threshold"/> (for stability).</summary>
            public static Tensor softplus(Tensor input, double beta = 1, double threshold = 20) =>
                Tensor.FromNative(NativeMethods.lrnn_softplus(input.Handle, beta, threshold));

            /// <summary>Gated linear unit: splits <paramref name="dim"/> in halves (a, b) and returns a·sigmoid(b).</summary>
            public static Tensor glu(Tensor input, long dim = -1) => Tensor.FromNative(NativeMethods.lrnn_glu(input.Handle, dim));

            /// <summary>Softmax over <paramref name="dim"/>; <paramref name="dtype"/> casts first (half logits → float32 probabilities).</summary>
            public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => input.softmax(dim, dtype);

            public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) => input.log_softmax(dim, dtype);
        }
    }
}
