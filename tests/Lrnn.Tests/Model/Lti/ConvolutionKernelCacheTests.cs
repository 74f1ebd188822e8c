using Lrnn.Modules;
using Lrnn.Modules.Lti;
using Lrnn.Modules.Mixers;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Lrnn.Torch.Optim;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model.Lti;

/// <summary>
/// S4 and S4D reuse their convolution kernel across inference forwards (eval, no grad) while the weights are unchanged
/// (<see cref="S4Block.CacheKernel"/>), and regenerate it after any change: every output is compared with a block whose
/// cache is off, which generates the kernel each time.
/// </summary>
public sealed class ConvolutionKernelCacheTests
{
    private const long H = 4, N = 6, B = 2, L = 11;

    public static TheoryData<string, string> DevicesAndMixers()
    {
        var data = new TheoryData<string, string>();
        foreach (var device in new[] { "cpu", "cuda" })
            foreach (var mixer in new[] { "S4D", "S4" })
                data.Add(new TheoryDataRow<string, string>(device, mixer) { Skip = TestDevices.SkipReason(device) });
        return data;
    }

    private static S4Block Make(string mixer, string device, ulong seed)
    {
        torch.manual_seed(seed);
        var options = new S4Options { Channels = 2, NSsm = 2 };
        S4Block block = mixer == "S4" ? new S4(H, N, options, device: device) : new S4D(H, N, options, device: device);
        block.eval();
        return block;
    }

    /// <summary>The block's output with its kernel generated afresh (cache off), then the cache setting restored.</summary>
    private static double[] Fresh(S4Block block, Tensor x)
    {
        var before = block.CacheKernel;
        block.CacheKernel = false;
        try
        {
            using (torch.no_grad())
            using (var y = block.Forward(x, MixerContext.None))
                return Doubles(y);
        }
        finally
        {
            block.CacheKernel = before;
        }
    }

    private static double[] Inference(S4Block block, Tensor x)
    {
        using (torch.no_grad())
        using (var y = block.Forward(x, MixerContext.None))
            return Doubles(y);
    }

    [Theory]
    [MemberData(nameof(DevicesAndMixers))]
    public void InferenceForwardsReuseTheKernelUntilAWeightChanges(string device, string mixer)
    {
        using var scope = torch.NewDisposeScope();
        using var block = Make(mixer, device, seed: 1);
        var x = Normal(new Random(1), [B, L, H], ScalarType.Float32, device);
        var first = Inference(block, x);
        var generations = block.KernelGenerations;
        Assert.Equal(first, Inference(block, x));
        Assert.Equal(first, Inference(block, x));
        Assert.Equal(generations, block.KernelGenerations);                       // reused, and bit for bit the same
        Numerics.AssertClose(Fresh(block, x), first, atol: 0, what: "cached vs fresh kernel");

        // Each source of the kernel, changed in place, makes the next forward regenerate it.
        foreach (var (name, parameter) in block.named_parameters().Where(p => !p.Name.StartsWith("output_linear") && !p.Name.StartsWith("layer.")))
        {
            using (torch.no_grad()) parameter.add_(0.01);
            var changed = Inference(block, x);
            Assert.True(block.KernelGenerations > generations, $"changing {name} did not regenerate the kernel");
            generations = block.KernelGenerations;
            Numerics.AssertClose(Fresh(block, x), changed, atol: 0, what: $"after changing {name}");
            Assert.NotEqual(first, changed);
        }
    }

    [Theory]
    [MemberData(nameof(DevicesAndMixers))]
    public void ALengthChangeALoadAndAnOptimizerStepRegenerate(string device, string mixer)
    {
        using var scope = torch.NewDisposeScope();
        using var block = Make(mixer, device, seed: 2);
        var x = Normal(new Random(2), [B, L, H], ScalarType.Float32, device);
        Inference(block, x);

        // Another length: a kernel of that length, then the first length again (one entry is kept).
        var shorter = x.narrow(1, 0, 5);
        Numerics.AssertClose(Fresh(block, shorter), Inference(block, shorter), atol: 0, what: "shorter");
        Numerics.AssertClose(Fresh(block, x), Inference(block, x), atol: 0, what: "back to the first length");

        // Weights loaded from another block (copy_ into the parameters).
        using (var other = Make(mixer, device, seed: 3))
        {
            block.load_state_dict(other.state_dict());
            Numerics.AssertClose(Inference(other, x), Inference(block, x), atol: 0, what: "after load_state_dict");
        }

        // A training step: forward with gradients (never cached), backward, AdamW.
        using var optimizer = new AdamW(block.parameters(), lr: 0.05);
        block.train();
        using (var y = block.Forward(x, MixerContext.None))
        using (var loss = y.square().sum())
            loss.backward();
        optimizer.step();
        block.eval();
        var afterStep = Inference(block, x);
        Numerics.AssertClose(Fresh(block, x), afterStep, atol: 0, what: "after an optimizer step");
    }

    [Theory]
    [MemberData(nameof(DevicesAndMixers))]
    public void GradientsTrainingModeOrCacheKernelOffGenerateEachTime(string device, string mixer)
    {
        using var scope = torch.NewDisposeScope();
        using var block = Make(mixer, device, seed: 4);
        var x = Normal(new Random(4), [B, L, H], ScalarType.Float32, device);
        var count = block.KernelGenerations;
        using (var y = block.Forward(x, MixerContext.None)) { }                                          // gradients on
        using (var y = block.Forward(x, MixerContext.None)) { }
        Assert.Equal(count + 2, block.KernelGenerations);
        block.train();
        Inference(block, x);
        Inference(block, x);
        Assert.Equal(count + 4, block.KernelGenerations);
        block.eval();
        block.CacheKernel = false;
        Inference(block, x);
        Inference(block, x);
        Assert.Equal(count + 6, block.KernelGenerations);
    }

    /// <summary>set_data replaces a parameter's storage without bumping its version: the storage half of the key catches it.</summary>
    [Theory]
    [MemberData(nameof(DevicesAndMixers))]
    public void ANewStorageUnderAParameterRegenerates(string device, string mixer)
    {
        using var scope = torch.NewDisposeScope();
        using var block = Make(mixer, device, seed: 6);
        var x = Normal(new Random(6), [B, L, H], ScalarType.Float32, device);
        var before = Inference(block, x);
        var generations = block.KernelGenerations;
        var version = block.D._version;
        using (torch.no_grad()) block.D.set_data(block.D.add(1));
        Assert.Equal(version, block.D._version);
        var after = Inference(block, x);
        Assert.Equal(generations + 1, block.KernelGenerations);
        Assert.NotEqual(before, after);
        Numerics.AssertClose(Fresh(block, x), after, atol: 0, what: "after set_data");
    }

    /// <summary>The cached kernel is freed by what makes it stale or unwanted: a training forward, CacheKernel = false, Module.to.</summary>
    [Theory]
    [MemberData(nameof(DevicesAndMixers))]
    public void TrainingCacheOffAndConversionFreeTheCachedKernel(string device, string mixer)
    {
        using var scope = torch.NewDisposeScope();
        using var block = Make(mixer, device, seed: 7);
        var x = Normal(new Random(7), [B, L, H], ScalarType.Float32, device);
        Inference(block, x);
        Assert.True(block.HoldsCachedKernel);
        using (var y = block.Forward(x, MixerContext.None)) { }                     // gradients on: about to train
        Assert.False(block.HoldsCachedKernel);

        Inference(block, x);
        block.CacheKernel = false;
        Assert.False(block.HoldsCachedKernel);
        block.CacheKernel = true;

        Inference(block, x);
        block.to(ScalarType.Float64);
        Assert.False(block.HoldsCachedKernel);
        var x64 = x.to(ScalarType.Float64);
        Numerics.AssertClose(Fresh(block, x64), Inference(block, x64), atol: 0, what: "after to(Float64)");
        Assert.True(block.HoldsCachedKernel);
    }

    [Fact]
    public void CachedForwardsDoNotGrowTheLiveTensorCount()
    {
        using var block = Make("S4D", "cpu", seed: 5);
        using var x = torch.randn([B, L, H]);
        Inference(block, x);
        var baseline = LiveTensors.Settled();
        for (var i = 0; i < 20; ++i) Inference(block, x);
        Assert.Equal(baseline, LiveTensors.Settled());
    }
}
