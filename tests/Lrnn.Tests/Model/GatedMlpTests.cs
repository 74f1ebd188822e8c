using Lrnn.Modules;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model;

public sealed class GatedMlpTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ForwardIsValueTimesSiluOfGate(string device)
    {
        using var scope = torch.NewDisposeScope();
        using var mlp = new GatedMlp(dModel: 3, dIntermediate: 5, device: device);
        Assert.Equal(128, mlp.HiddenSize);                                                 // rounded up to a multiple of 128
        Assert.Equal([256L, 3], mlp.fc1.weight.shape);
        Assert.Equal([3L, 128], mlp.fc2.weight.shape);
        Assert.Null(mlp.fc1.bias);
        Assert.Null(mlp.fc2.bias);

        var x = Normal(new Random(21), [2, 3], ScalarType.Float32, device);
        var y = mlp.call(x);
        var (w1, w2, xs) = (Doubles(mlp.fc1.weight), Doubles(mlp.fc2.weight), Doubles(x));
        var expected = new double[2 * 3];
        for (var b = 0; b < 2; b++)
        for (var o = 0; o < 3; o++)
        {
            var acc = 0.0;
            for (var j = 0; j < 128; j++)
            {
                double value = 0, gate = 0;
                for (var i = 0; i < 3; i++)
                {
                    value += w1[j * 3 + i] * xs[b * 3 + i];              // first half of fc1: the value
                    gate += w1[(128 + j) * 3 + i] * xs[b * 3 + i];       // second half: the gate
                }
                acc += w2[o * 128 + j] * value * gate / (1 + Math.Exp(-gate));
            }
            expected[b * 3 + o] = acc;
        }
        Numerics.AssertClose(expected, Doubles(y), atol: 1e-5);
    }
}
