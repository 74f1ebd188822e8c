using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Modules;

/// <summary>
/// One layer of the backbone, as lrnnx's (mamba_ssm's) <c>Block</c>: Add → Norm → Mixer, then optionally
/// Add → Norm2 → GatedMLP. It takes and returns the pair (hidden, residual) rather than their sum, so that the add
/// is done once, next to the norm that reads it (the pre-norm residual stream; mamba_ssm's block docstring):
/// <code>
/// residual = hidden + residual            (first block: residual = hidden; float32 when residual_in_fp32)
/// hidden   = mixer(norm(residual))
/// residual = hidden + residual; hidden = mlp(norm2(residual))   (when d_intermediate &gt; 0)
/// </code>
/// The full-sequence and step paths share this code; only the mixer call differs.
/// </summary>
public sealed class Block : Module
{
    private readonly bool _residualInFp32;

    public Block(LrnnConfig config, int layerIdx, ScalarType? dtype = null, Device? device = null)
    {
        _residualInFp32 = config.ResidualInFp32;
        norm = RegisterModule("norm", CreateNorm(config, dtype, device));
        mixer = RegisterModule("mixer", MixerRegistry.Create(config, layerIdx, dtype, device));
        if (config.DIntermediate > 0)
        {
            norm2 = RegisterModule("norm2", CreateNorm(config, dtype, device));
            mlp = RegisterModule("mlp", new GatedMlp(config.DModel, config.DIntermediate, dtype, device));
        }
    }

    /// <summary>RMSNorm or LayerNorm (with bias) over d_model, as lrnnx chooses by <c>rms_norm</c>.</summary>
    internal static Module<Tensor, Tensor> CreateNorm(LrnnConfig config, ScalarType? dtype, Device? device) =>
        config.RmsNorm
            ? new RMSNorm(config.DModel, config.NormEpsilon, dtype, device)
            : new LayerNorm(config.DModel, config.NormEpsilon, dtype: dtype, device: device);

    // Named as lrnnx's attributes: these are the state-dict keys.
    public Module<Tensor, Tensor> norm { get; }
    public Mixer mixer { get; }
    public Module<Tensor, Tensor>? norm2 { get; }
    public GatedMlp? mlp { get; }

    /// <summary>
    /// hidden (B, L, D), residual (B, L, D) or null for the first block → the next (hidden, residual); both owned by the
    /// caller. With <paramref name="documents"/>, the mixer runs on each document of the rows alone (the norms and the
    /// MLP act per token and need nothing).
    /// </summary>
    public (Tensor Hidden, Tensor Residual) Forward(Tensor hidden, Tensor? residual, MixerContext context, DocumentSegments? documents = null) =>
        Run(hidden, residual, normed => documents is null ? mixer.Forward(normed, context) : documents.Forward(mixer, normed, context));

    /// <summary>hidden (B, 1, D): one token, advancing this layer's <paramref name="cache"/>.</summary>
    public (Tensor Hidden, Tensor Residual) Step(Tensor hidden, Tensor? residual, MixerCache cache, StepContext? context = null) =>
        Run(hidden, residual, normed => mixer.Step(normed, cache, context));

    private (Tensor Hidden, Tensor Residual) Run(Tensor hidden, Tensor? residual, Func<Tensor, Tensor> mix)
    {
        var sum = AddResidual(hidden, residual, _residualInFp32);
        Tensor mixed;
        using (var normed = Normalize(norm, sum)) mixed = mix(normed);
        if (mlp is null) return (mixed, sum);

        using (sum)
        using (mixed)
        {
            var sum2 = AddResidual(mixed, sum, _residualInFp32);
            using var normed2 = Normalize(norm2!, sum2);
            return (mlp.call(normed2), sum2);
        }
    }

    /// <summary>hidden + residual (or a new handle to hidden for the first block), in float32 when asked.</summary>
    internal static Tensor AddResidual(Tensor hidden, Tensor? residual, bool inFp32)
    {
        var sum = residual is null ? hidden.alias() : hidden.add(residual);
        if (!inFp32 || sum.dtype == ScalarType.Float32) return sum;
        using (sum) return sum.to(ScalarType.Float32);
    }

    /// <summary>The norm of the residual, computed in the norm's parameter dtype (the residual may be float32).</summary>
    internal static Tensor Normalize(Module<Tensor, Tensor> norm, Tensor residual)
    {
        var weightType = norm.GetParameter("weight")!.dtype;
        if (residual.dtype == weightType) return norm.call(residual);
        using var cast = residual.to(weightType);
        return norm.call(cast);
    }
}
