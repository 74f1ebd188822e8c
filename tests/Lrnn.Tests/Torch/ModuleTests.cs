using Lrnn.Tests.Support;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using Xunit;

namespace Lrnn.Tests.Torch;

/// <summary>A small language-model-shaped tree: embedding, a ModuleList of blocks, a ModuleDict of heads with a
/// head tied to the embedding, an integer buffer and a non-persistent buffer.</summary>
internal sealed class TinyLm : Module<Tensor, Tensor>
{
    public const long Vocab = 7, Dim = 4;

    public TinyLm(ScalarType? dtype = null, Device? device = null)
    {
        RegisterBuffer("positions", torch.arange(3, device: device));
        RegisterBuffer("scratch", torch.zeros([2], dtype, device), persistent: false);
        embedding = RegisterModule("embedding", new Embedding(Vocab, Dim, dtype: dtype, device: device));
        layers = RegisterModule("layers", new ModuleList<Block>(new Block(dtype, device), new Block(dtype, device)));
        heads = RegisterModule("heads", new ModuleDict<Linear> { { "lm", new Linear(Dim, Vocab, bias: false, dtype, device) } });
        heads["lm"].weight = embedding.weight;
    }

    public Embedding embedding { get; }
    public ModuleList<Block> layers { get; }
    public ModuleDict<Linear> heads { get; }

    public override Tensor forward(Tensor ids)
    {
        using var scope = torch.NewDisposeScope();
        var h = embedding.call(ids);
        foreach (var block in layers) h = block.call(h);
        return scope.MoveToOuter(heads["lm"].call(h));
    }

    internal sealed class Block : Module<Tensor, Tensor>
    {
        public Block(ScalarType? dtype, Device? device)
        {
            norm = RegisterModule("norm", new RMSNorm(Dim, dtype: dtype, device: device));
            mixer = RegisterModule("mixer", new Linear(Dim, Dim, dtype: dtype, device: device));
            dropout = RegisterModule("dropout", new Dropout(0.5));
        }

        public RMSNorm norm { get; }
        public Linear mixer { get; }
        public Dropout dropout { get; }

        public override Tensor forward(Tensor x)
        {
            using var n = norm.call(x);
            using var m = mixer.call(n);
            using var d = dropout.call(m);
            return x + d;
        }
    }
}

public class ModuleTests
{
    private static readonly string[] s_parameterNames =
    [
        "embedding.weight",
        "layers.0.norm.weight", "layers.0.mixer.weight", "layers.0.mixer.bias",
        "layers.1.norm.weight", "layers.1.mixer.weight", "layers.1.mixer.bias",
    ];

    [Fact]
    public void NamedParametersUseDottedNamesInRegistrationOrderAndListATiedTensorOnce()
    {
        using var model = new TinyLm();
        Assert.Equal(s_parameterNames, model.named_parameters().Select(p => p.Name));
        Assert.Same(model.layers[1].mixer.bias, model.named_parameters().Single(p => p.Name == "layers.1.mixer.bias").Parameter);
        Assert.Equal(["weight"], model.embedding.named_parameters().Select(p => p.Name));
        Assert.Empty(model.named_parameters(recurse: false));
        Assert.Equal(["positions", "scratch"], model.named_buffers().Select(b => b.Name));
        Assert.Equal(["embedding", "layers", "heads"], model.named_children().Select(c => c.Name));
    }

    [Fact]
    public void NamedModulesStartWithTheRootAndSubmodulesAreFoundByDottedPath()
    {
        using var model = new TinyLm();
        Assert.Equal(
            ["", "embedding", "layers", "layers.0", "layers.0.norm", "layers.0.mixer", "layers.0.dropout",
             "layers.1", "layers.1.norm", "layers.1.mixer", "layers.1.dropout", "heads", "heads.lm"],
            model.named_modules().Select(m => m.Name));
        Assert.Same(model.layers[1].mixer, model.GetSubmodule("layers.1.mixer"));
        Assert.Same(model, model.GetSubmodule(""));
        Assert.Null(model.GetSubmodule("layers.2"));
        Assert.Null(model.GetSubmodule("layers.0.mixer.weight"));
    }

    [Fact]
    public void ParameterCountCountsATiedWeightOnce()
    {
        using var model = new TinyLm();
        const long d = TinyLm.Dim;
        var expected = TinyLm.Vocab * d + 2 * (d + d * d + d);
        Assert.Equal(expected, model.parameter_count());
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
        model.layers[0].norm.weight.requires_grad = false;
        Assert.Equal(expected - d, model.parameter_count(trainableOnly: true));
    }

    [Fact]
    public void ATieMakesOneTensorReachableUnderBothNames()
    {
        using var model = new TinyLm();
        Assert.Same(model.embedding.weight, model.heads["lm"].weight);
        Assert.Same(model.embedding.weight, model.heads["lm"].GetParameter("weight"));
        using var sd = model.state_dict();
        Assert.True(sd["heads.lm.weight"].is_alias_of(sd["embedding.weight"]));
    }

    [Fact]
    public void AModuleBuiltInsideADisposeScopeKeepsItsWeights()
    {
        var baseline = LiveTensors.Settled();
        Linear layer;
        using (torch.NewDisposeScope())
        {
            layer = new Linear(3, 2);
            Assert.Null(layer.weight.OwningScope);
        }
        Assert.False(layer.weight.IsDisposed);
        Assert.False(layer.bias!.IsDisposed);
        Assert.Equal(6, layer.weight.ToArray<float>().Length);
        layer.Dispose();
        Assert.Equal(baseline, torch.LiveTensorCount);
    }

    [Fact]
    public void DisposeFreesEveryTensorOfTheTreeIncludingTies()
    {
        var baseline = LiveTensors.Settled();
        var model = new TinyLm();
        var embeddingWeight = model.embedding.weight;
        Assert.Equal(baseline + 1 + 1 + 1 + 2 * 3, torch.LiveTensorCount); // positions, scratch, embedding, 2 blocks × 3
        using (var ids = torch.tensor(new long[] { 1, 2, 6 }))
        using (var logits = model.call(ids))
        using (logits.sum()) { }
        using (var sd = model.state_dict())
            Assert.Equal(9, sd.Count);
        Assert.Equal(baseline + 9, torch.LiveTensorCount);
        model.Dispose();
        model.Dispose(); // idempotent
        Assert.True(embeddingWeight.IsDisposed);
        Assert.Equal(baseline, torch.LiveTensorCount);
    }

    [Fact]
    public void DisposingATiedModuleLeavesTheOwnerOfTheWeightIntact()
    {
        using var embedding = new Embedding(5, 3);
        var head = new Linear(3, 5, bias: false);
        var ownWeight = head.weight;
        head.weight = embedding.weight;
        Assert.True(ownWeight.IsDisposed); // the head owned its first weight and nothing else held it
        head.Dispose();
        Assert.False(embedding.weight.IsDisposed);
        Assert.Equal(15, embedding.weight.ToArray<float>().Length);
    }

    [Fact]
    public void ToFloat64KeepsTensorIdentityAndTiesAndLeavesIntegerBuffersAlone()
    {
        using var model = new TinyLm();
        var held = model.embedding.weight;
        var before = held.ToArray<float>();
        model.eval();
        using (var ids = torch.tensor(new long[] { 0, 3, 5 }))
        using (var logits = model.call(ids))
        using (var loss = logits.sum())
            loss.backward();
        Assert.Equal(ScalarType.Float32, held.grad!.dtype);

        Assert.Same(model, model.to(ScalarType.Float64));

        Assert.Same(held, model.embedding.weight);
        Assert.Same(held, model.heads["lm"].weight);
        Assert.Equal(ScalarType.Float64, held.dtype);
        Assert.True(held.requires_grad);
        Assert.True(held.is_leaf);
        Assert.Equal(before.Select(v => (double)v).ToArray(), held.ToArray<double>());
        using (var grad = held.grad!) Assert.Equal(ScalarType.Float64, grad.dtype);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.Equal(ScalarType.Int64, model.GetBuffer("positions")!.dtype);
        Assert.Equal(ScalarType.Float64, model.GetBuffer("scratch")!.dtype);

        // The tie still holds after the move: an in-place update through one name is seen through the other.
        using (torch.no_grad()) held.fill_(0.25);
        Assert.All(model.heads["lm"].weight.ToArray<double>(), v => Assert.Equal(0.25, v));
        using var ids2 = torch.tensor(new long[] { 1 });
        using var logits64 = model.call(ids2);
        Assert.Equal(ScalarType.Float64, logits64.dtype);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ToDeviceMovesEveryTensorInPlace(string dev)
    {
        Device device = dev;
        using var model = new TinyLm();
        var held = model.layers[0].mixer.weight;
        var before = held.ToArray<float>();
        model.to(device);
        Assert.Same(held, model.layers[0].mixer.weight);
        Assert.All(model.named_parameters(), p => Assert.Equal(device.Type, p.Parameter.device.Type));
        Assert.All(model.named_buffers(), b => Assert.Equal(device.Type, b.Buffer.device.Type));
        Assert.Equal(before, held.ToArray<float>());
        model.to(ScalarType.BFloat16, Device.CPU);
        Assert.Equal(ScalarType.BFloat16, held.dtype);
        Assert.Equal(DeviceType.CPU, held.device.Type);
    }

    [Fact]
    public void ToRejectsANonFloatingDtype()
    {
        using var model = new TinyLm();
        var e = Assert.Throws<ArgumentException>(() => model.to(ScalarType.Int32));
        Assert.Contains("Int32", e.Message);
    }

    [Fact]
    public void TrainAndEvalReachEveryDescendant()
    {
        using var model = new TinyLm();
        Assert.All(model.named_modules(), m => Assert.True(m.Module.training));
        Assert.Same(model, model.eval());
        Assert.All(model.named_modules(), m => Assert.False(m.Module.training));
        model.layers.train();
        Assert.False(model.training);
        Assert.True(model.layers[1].dropout.training);
        model.train();
        Assert.All(model.named_modules(), m => Assert.True(m.Module.training));
    }

    [Fact]
    public void ZeroGradDropsEveryGradient()
    {
        using var model = new TinyLm();
        model.eval();
        using (var ids = torch.tensor(new long[] { 2, 4 }))
        using (var logits = model.call(ids))
        using (var loss = logits.sum())
            loss.backward();
        Assert.All(model.parameters(), p => { using var g = p.grad; Assert.NotNull(g); });
        model.zero_grad();
        Assert.All(model.parameters(), p => Assert.Null(p.grad));
    }

    private sealed class Probe : Module
    {
        public Tensor Param(string name, Tensor value, bool requiresGrad = true) => RegisterParameter(name, value, requiresGrad);
        public Tensor? Buffer(string name, Tensor? value, bool persistent = true) => RegisterBuffer(name, value, persistent);
        public T Child<T>(string name, T module) where T : Module => RegisterModule(name, module);
    }

    [Fact]
    public void RegistrationRejectsBadNamesClashesAndNonLeafParameters()
    {
        using var probe = new Probe();
        probe.Param("w", torch.ones(2));
        Assert.Throws<ArgumentException>(() => probe.Param("", torch.ones(1)));
        var dotted = Assert.Throws<ArgumentException>(() => probe.Buffer("a.b", torch.ones(1)));
        Assert.Contains("'a.b'", dotted.Message);
        var clash = Assert.Throws<ArgumentException>(() => probe.Buffer("w", torch.ones(1)));
        Assert.Contains("already a parameter", clash.Message);
        Assert.Throws<ArgumentException>(() => probe.Child("w", new Dropout()));

        using var leaf = torch.ones(2).requires_grad_();
        using var computed = leaf * 2.0;
        var nonLeaf = Assert.Throws<ArgumentException>(() => probe.Param("v", computed));
        Assert.Contains("leaf", nonLeaf.Message);
        Assert.Throws<ArgumentException>(() => probe.Child("self", probe));
    }

    [Fact]
    public void ReRegisteringANameReplacesTheEntryInPlaceAndDisposesTheOldTensor()
    {
        using var probe = new Probe();
        var first = probe.Param("a", torch.ones(1));
        probe.Param("b", torch.ones(1));
        var second = probe.Param("a", torch.zeros(3), requiresGrad: false);
        Assert.True(first.IsDisposed);
        Assert.Equal(["a", "b"], probe.named_parameters().Select(p => p.Name));
        Assert.Same(second, probe.GetParameter("a"));
        Assert.False(second.requires_grad);
        Assert.Equal(4, probe.parameter_count());
        Assert.Equal(1, probe.parameter_count(trainableOnly: true));

        var oldWeight = probe.Child("c", new Linear(2, 2)).weight;
        probe.Child("c", new RMSNorm(2));
        Assert.True(oldWeight.IsDisposed);
    }

    [Fact]
    public void NonPersistentAndNullBuffersStayOutOfTheStateDict()
    {
        using var probe = new Probe();
        probe.Buffer("kept", torch.ones(2));
        probe.Buffer("transient", torch.ones(2), persistent: false);
        probe.Buffer("empty", null);
        Assert.Equal(["kept", "transient"], probe.named_buffers().Select(b => b.Name));
        using var sd = probe.state_dict();
        Assert.Equal(["kept"], sd.Keys);
    }

    [Fact]
    public void ModuleContainersBehaveAsListsAndOrderedDictionaries()
    {
        using var list = new ModuleList<Linear>();
        list.Add(new Linear(2, 3));
        list.Add(new Linear(3, 1));
        Assert.Equal(2, list.Count);
        Assert.Equal([3L, 1L], list.Select(l => l.out_features));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], list.named_parameters().Select(p => p.Name));

        using var dict = new ModuleDict<Module>();
        dict.Add("zeta", new RMSNorm(2));
        dict.Add("alpha", new Dropout());
        Assert.Equal(["zeta", "alpha"], dict.Keys);
        Assert.True(dict.TryGetValue("alpha", out var d) && d is Dropout);
        Assert.Throws<ArgumentException>(() => dict.Add("zeta", new Dropout()));
        var missing = Assert.Throws<KeyNotFoundException>(() => dict["beta"]);
        Assert.Contains("zeta, alpha", missing.Message);
    }
}
