using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Modules;
using Lrnn.Modules.Ltv;
using Lrnn.Torch;

namespace Lrnn.Tests.Model;

/// <summary>An exponential moving average per feature: h_t = a ⊙ h_{t−1} + (1 − a) ⊙ x_t, a = σ(decay_logit), y_t = h_t.</summary>
public sealed class EmaMixer : Mixer<LtvCache>
{
    public static readonly MixerSchema Schema = new(new MixerKwarg("init_decay", KwargKind.Float, 0.9));

    public EmaMixer(MixerSpec spec)
    {
        DModel = spec.Config.DModel;
        var a = spec.Arguments.GetDouble("init_decay");
        decay_logit = RegisterParameter("decay_logit", torch.full([DModel], Math.Log(a / (1 - a)), spec.Dtype ?? ScalarType.Float32, spec.Device));
    }

    public override long DModel { get; }
    public Tensor decay_logit { get; }                                                   // (D): the state-dict key

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new LtvCache(batch, maxSeqLen, [DModel], dtype, convStateShape: null, dtype, device);

    protected override Tensor Forward(Tensor x, MixerContext context, LtvCache? cache)
    {
        var a = decay_logit.sigmoid().expand(x.shape);                                   // (B, L, D)
        return LtvScan.States(a, a.neg().add(1.0).mul(x), context, cache);              // h (B, L, D)
    }

    protected override Tensor StepToken(Tensor x, LtvCache cache, StepContext context)
    {
        var a = decay_logit.sigmoid();                                                   // (D)
        var h = a.mul(cache.State).add(a.neg().add(1.0).mul(x));                         // (B, D)
        cache.Keep(h);
        return h;
    }
}
