using static Lrnn.Tests.Model.ModelTestData;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using Xunit;

namespace Lrnn.Tests.Torch;

public class StateDictTests
{
    private static readonly string[] s_keys =
    [
        "positions", "embedding.weight",
        "layers.0.norm.weight", "layers.0.mixer.weight", "layers.0.mixer.bias",
        "layers.1.norm.weight", "layers.1.mixer.weight", "layers.1.mixer.bias",
        "heads.lm.weight",
    ];

    // A copy of every value of `model`'s state_dict converted to float64 (integer tensors kept), owned by the caller.
    private static StateDict Float64Copy(Module model)
    {
        var copy = new StateDict();
        using var sd = model.state_dict();
        foreach (var (name, t) in sd) copy.Add(name, t.dtype.IsFloatingPoint() ? t.to(ScalarType.Float64) : t.to(Device.CPU, copy: true));
        return copy;
    }


    [Fact]
    public void KeysAreDottedInRegistrationOrderWithATiedTensorUnderBothNames()
    {
        using var model = new TinyLm();
        using var sd = model.state_dict();
        Assert.Equal(s_keys, sd.Keys);
        Assert.True(sd["embedding.weight"].is_alias_of(sd["heads.lm.weight"]));
        Assert.False(sd.ContainsKey("scratch")); // non-persistent
    }

    [Fact]
    public void ValuesAreDetachedAliasesAndDisposingThemKeepsTheWeights()
    {
        var baseline = LiveTensors.Settled();
        using var model = new TinyLm();
        var weight = model.layers[0].mixer.weight;
        using (var sd = model.state_dict())
        {
            var alias = sd["layers.0.mixer.weight"];
            Assert.NotSame(weight, alias);
            Assert.True(alias.is_alias_of(weight));
            Assert.False(alias.requires_grad);
            alias.fill_(0.5); // writes the module's storage
        }
        Assert.False(weight.IsDisposed);
        Assert.All(weight.ToArray<float>(), v => Assert.Equal(0.5f, v));
        Assert.Equal(baseline + 9, torch.LiveTensorCount);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LoadCopiesEveryValueConvertingDtypeAndDevice(string dev)
    {
        Device device = dev;
        using var source = new TinyLm();
        using var values = Float64Copy(source);                 // float64 on the CPU
        using var target = new TinyLm(device: device);            // float32 on `device`, other random values
        var targetWeight = target.layers[1].mixer.weight;

        var result = target.load_state_dict(values);

        Assert.True(result.IsExactMatch);
        Assert.Equal("All keys matched.", result.ToString());
        Assert.Same(targetWeight, target.layers[1].mixer.weight);
        Assert.Equal(ScalarType.Float32, targetWeight.dtype);
        Assert.Equal(device.Type, targetWeight.device.Type);
        Assert.True(targetWeight.requires_grad);
        Assert.True(targetWeight.is_leaf);
        using var loaded = target.state_dict();
        foreach (var key in s_keys)
            Numerics.AssertClose(Doubles(values[key]), Doubles(loaded[key]), 0, what: key);
    }

    [Fact]
    public void StrictLoadReportsMissingKeysAndCopiesNothing()
    {
        using var model = new TinyLm();
        using var other = new TinyLm();
        using var values = Float64Copy(other);
        var partial = values.Where(kv => kv.Key != "layers.0.norm.weight").ToDictionary(kv => kv.Key, kv => kv.Value);
        var before = Doubles(model.layers[1].mixer.weight);

        var e = Assert.Throws<StateDictMismatchException>(() => model.load_state_dict(partial));

        Assert.Equal(["layers.0.norm.weight"], e.Missing);
        Assert.Empty(e.Unexpected);
        Assert.Empty(e.Mismatched);
        Assert.Contains("TinyLm", e.Message);
        Assert.Contains("Missing keys: layers.0.norm.weight", e.Message);
        Assert.Equal(before, Doubles(model.layers[1].mixer.weight));
    }

    [Fact]
    public void StrictLoadReportsUnexpectedKeys()
    {
        using var model = new TinyLm();
        using var values = Float64Copy(model);
        using var extra = torch.zeros(3);
        var withExtra = values.ToDictionary(kv => kv.Key, kv => kv.Value);
        withExtra["layers.2.mixer.weight"] = extra;

        var e = Assert.Throws<StateDictMismatchException>(() => model.load_state_dict(withExtra));

        Assert.Empty(e.Missing);
        Assert.Equal(["layers.2.mixer.weight"], e.Unexpected);
        Assert.Contains("Unexpected keys: layers.2.mixer.weight", e.Message);
    }

    [Fact]
    public void StrictLoadReportsShapeMismatchesWithBothShapes()
    {
        using var model = new TinyLm();
        using var values = Float64Copy(model);
        using var wrong = torch.zeros(4, 5);
        var mismatched = values.ToDictionary(kv => kv.Key, kv => kv.Value);
        mismatched["layers.1.mixer.weight"] = wrong;

        var e = Assert.Throws<StateDictMismatchException>(() => model.load_state_dict(mismatched));

        var m = Assert.Single(e.Mismatched);
        Assert.Equal("layers.1.mixer.weight", m.Name);
        Assert.Equal([4L, 4L], m.Expected);
        Assert.Equal([4L, 5L], m.Actual);
        Assert.Contains("layers.1.mixer.weight: expected [4, 4], got [4, 5]", e.Message);
        Assert.Same(e.Result.Mismatched, e.Mismatched);
    }

    [Fact]
    public void NonStrictLoadCopiesTheMatchingKeysAndReturnsTheReport()
    {
        using var model = new TinyLm();
        using var other = new TinyLm();
        using var values = Float64Copy(other);
        using var wrong = torch.zeros(2);
        using var extra = torch.zeros(1);
        var source = values.Where(kv => kv.Key != "layers.0.mixer.bias").ToDictionary(kv => kv.Key, kv => kv.Value);
        source["layers.1.norm.weight"] = wrong;
        source["extra"] = extra;
        var keptNorm = Doubles(model.layers[1].norm.weight);

        var result = model.load_state_dict(source, strict: false);

        Assert.False(result.IsExactMatch);
        Assert.Equal(["layers.0.mixer.bias"], result.Missing);
        Assert.Equal(["extra"], result.Unexpected);
        Assert.Equal("layers.1.norm.weight", Assert.Single(result.Mismatched).Name);
        Assert.Equal(Doubles(values["layers.1.mixer.weight"]), Doubles(model.layers[1].mixer.weight));
        Assert.Equal(keptNorm, Doubles(model.layers[1].norm.weight));
        Assert.Contains("Missing keys: layers.0.mixer.bias", result.ToString());
    }

    [Fact]
    public void ATiedWeightStoredOnceCountsAsLoaded()
    {
        using var model = new TinyLm();
        using var other = new TinyLm();
        using var values = Float64Copy(other);
        var withoutHead = values.Where(kv => kv.Key != "heads.lm.weight").ToDictionary(kv => kv.Key, kv => kv.Value);

        var result = model.load_state_dict(withoutHead);

        Assert.True(result.IsExactMatch);
        Assert.Equal(Doubles(values["embedding.weight"]), Doubles(model.heads["lm"].weight));
    }

    [Fact]
    public void IntegerBuffersAreLoadedAndKeepTheirDtype()
    {
        using var model = new TinyLm();
        using var values = Float64Copy(model);
        var source = values.ToDictionary(kv => kv.Key, kv => kv.Value);
        using var positions = torch.tensor(new int[] { 7, 8, 9 });
        source["positions"] = positions;

        model.load_state_dict(source);

        var buffer = model.GetBuffer("positions")!;
        Assert.Equal(ScalarType.Int64, buffer.dtype);
        Assert.Equal([7L, 8, 9], buffer.ToArray<long>());
    }
}
