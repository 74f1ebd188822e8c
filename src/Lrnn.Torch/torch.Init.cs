namespace Lrnn.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// torch.nn.init: in-place initialisers that run under no_grad (so they apply to parameters) and return
        /// their argument. Random ones draw from libtorch's global generator.
        /// </summary>
        public static class init
        {
            public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1)
            {
                using (no_grad()) return tensor.uniform_(a, b);
            }

            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1)
            {
                using (no_grad()) return tensor.normal_(mean, std);
            }

            public static Tensor zeros_(Tensor tensor)
            {
                using (no_grad()) return tensor.zero_();
            }

            public static Tensor ones_(Tensor tensor)
            {
                using (no_grad()) return tensor.fill_(1.0);
            }

            /// <summary>
            /// He initialisation in fan-in mode for a leaky ReLU of negative slope <paramref name="a"/>:
            /// U(±gain·√(3/fan_in)) with gain = √(2/(1+a²)). With a = √5 (the default of Linear and Conv1d)
            /// the bound is 1/√fan_in.
            /// </summary>
            public static Tensor kaiming_uniform_(Tensor tensor, double a = 0)
            {
                var gain = Math.Sqrt(2.0 / (1 + a * a));
                var bound = gain * Math.Sqrt(3.0 / FanIn(tensor));
                return uniform_(tensor, -bound, bound);
            }

            /// <summary>
            /// Inputs feeding each output: size(1) times the receptive field (the product of the dimensions after
            /// the second), as PyTorch's _calculate_fan_in_and_fan_out.
            /// </summary>
            internal static long FanIn(Tensor tensor)
            {
                var shape = tensor.shape;
                if (shape.Length < 2)
                    throw new ArgumentException($"fan-in needs a tensor of at least 2 dimensions, got shape {Tensor.Dims(shape)}.", nameof(tensor));
                var fanIn = shape[1];
                for (var k = 2; k < shape.Length; k++) fanIn *= shape[k];
                return fanIn;
            }
        }
    }
}
