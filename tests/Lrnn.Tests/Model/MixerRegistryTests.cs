using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Models;
using Lrnn.Modules;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Newtonsoft.Json.Linq;
using Xunit;
using static Lrnn.Tests.Model.ModelTestData;

namespace Lrnn.Tests.Model;

public sealed class MixerRegistryTests
{
    /// <summary>A stateless test mixer: y = scale · x ⊙ w. One class plus one registration line make it usable by name.</summary>
    private sealed class ScaleMixer : Mixer<NoCache>
    {
        public static readonly MixerSchema Schema = new(new MixerKwarg("scale", KwargKind.Float, 2.0));

        private readonly double _scale;

        public ScaleMixer(MixerSpec spec)
        {
            DModel = spec.Config.DModel;
            _scale = spec.Arguments.GetDouble("scale");
            w = RegisterParameter("w", torch.empty([spec.Config.DModel]).normal_(1, 0.1));
        }

        public Tensor w { get; }

        public override long DModel { get; }

        protected override Tensor Forward(Tensor x, MixerContext context, NoCache? cache) => x.mul(w).mul(_scale);

        public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) => new NoCache(batch, maxSeqLen);

        protected override Tensor StepToken(Tensor x, NoCache cache, StepContext context) => x.mul(w).mul(_scale);
    }

    /// <summary>A cache with nothing in it but the token count (which the Mixer base class advances).</summary>
    private sealed class NoCache(long batch, long maxSeqLen) : MixerCache(batch, maxSeqLen)
    {
        public override void Dispose() { }
    }

    static MixerRegistryTests() => MixerRegistry.Register("TestScale", ScaleMixer.Schema, spec => new ScaleMixer(spec));

    [Fact]
    public void ARegisteredMixerIsValidatedBuiltAndStepped()
    {
        Assert.Contains("TestScale", MixerRegistry.Names);
        var config = ConfigFor(["TestScale", "LRU"]) with { MixerKwargs = new JObject { ["TestScale"] = new JObject { ["scale"] = 0.5 } } };
        Assert.Contains("unknown keyword argument 'scal' for mixer 'TestScale' (known: scale)",
            Assert.Throws<LrnnConfigException>(() => (config with { MixerKwargs = new JObject { ["TestScale"] = new JObject { ["scal"] = 1 } } }).Validate()).Message);

        using var scope = torch.NewDisposeScope();
        using var model = new LrnnLMHeadModel(config);
        Assert.Contains("backbone.layers.0.mixer.w", model.named_parameters().Select(p => p.Name));
        var ids = Ids(new Random(31), 1, 4, config.VocabSize, Device.CPU);
        var full = model.Forward(ids);
        using var cache = model.AllocateInferenceCache(1, 4);
        var prefill = model.Prefill(ids.narrow(1, 0, 3), cache);
        var step = model.Step(ids.narrow(1, 3, 1), cache);
        Numerics.AssertClose(Doubles(full.narrow(1, 2, 2)), Doubles(torch.cat([prefill, step], 1)), atol: 1e-5);
    }
}
