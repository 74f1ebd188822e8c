using Lrnn.Modules;
using Lrnn.Modules.Lti;
using Lrnn.Modules.Mixers;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model;

/// <summary>
/// The complex diagonal mixers under bf16 autocast (the trainer's GPU setting): the projections become bf16 matmuls,
/// the recurrence must stay complex64, and the outputs stay close to the float32 run.
/// </summary>
public sealed class AutocastMixerTests
{
    private const int H = 8, N = 6;

    public static TheoryData<string> Mixers => new() { "LRU", "S5", "S5LTV" };

    private static Mixer Make(string name) => name switch
    {
        "LRU" => new Lru(H, N),
        "S5" => new S5(H, N, DiscretizationMethod.Zoh),
        "S5LTV" => new S5Ltv(H, N),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Mixers))]
    public void RunsUnderBFloat16Autocast(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var mixer = Make(name);
        var x = Normal(new Random(4), [2, 12, H], ScalarType.Float32, Device.CPU);
        var reference = mixer.Forward(x, MixerContext.None);
        Tensor y;
        using (torch.autocast(ScalarType.BFloat16, DeviceType.CPU)) y = mixer.Forward(x, MixerContext.None);
        Assert.Equal(ScalarType.Float32, y.dtype);
        Numerics.AssertClose(Doubles(reference), Doubles(y), atol: 0.1, rtol: 0.05, what: $"{name} under bf16 autocast");
    }
}
