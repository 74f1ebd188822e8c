using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Modules;
using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Models;

/// <summary>
/// The backbone (lrnnx's <c>LRNNModel</c>, mamba_ssm's <c>MixerModel</c>): token embedding, the blocks in a
/// ModuleDict keyed "0".."n−1" (so the keys are <c>layers.{i}.…</c>), and the final norm <c>norm_f</c>.
/// </summary>
public sealed class LrnnModel : Module
{
    private readonly LrnnConfig _config;

    public LrnnModel(LrnnConfig config, ScalarType? dtype = null, Device? device = null)
    {
        _config = config.Validate();
        TokenEmbedding = RegisterModule<Module<Tensor, Tensor>>("embedding", config.LmHead?.Vocabulary() is { } splits
            ? new SplitTokenEmbeddings(splits, config.DModel, dtype, device)
            : new Embedding(config.PaddedVocabSize, config.DModel, dtype: dtype, device: device));
        layers = RegisterModule("layers", new ModuleDict<Block>());
        for (var i = 0; i < config.NLayer; i++) layers.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new Block(config, i, dtype, device));
        norm_f = RegisterModule("norm_f", Block.CreateNorm(config, dtype, device));
    }

    // Named as lrnnx's attributes: these are the state-dict keys.
    public Embedding embedding => TokenEmbedding as Embedding
        ?? throw new InvalidOperationException("this model's vocabulary is split: its embedding is a SplitTokenEmbeddings (see TokenEmbedding)");

    /// <summary>The <c>embedding</c> slot: an <see cref="Embedding"/>, or <see cref="SplitTokenEmbeddings"/> for a split vocabulary.</summary>
    public Module<Tensor, Tensor> TokenEmbedding { get; }
    public ModuleDict<Block> layers { get; }
    public Module<Tensor, Tensor> norm_f { get; }

    public Block Layer(int index) => layers[index.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    /// <summary>
    /// inputIds (B, L) → hidden states (B, L, D) after norm_f. With <paramref name="cache"/>, every mixer continues
    /// from it and leaves the state after the last token in it (prefill).
    /// </summary>
    public Tensor Forward(Tensor inputIds, MixerContext context, InferenceCache? cache = null) =>
        Run(inputIds, (block, i, hidden, residual) => block.Forward(hidden, residual, cache is null ? context : context with { Cache = cache[i] }));

    /// <summary>inputIds (B, 1) → hidden (B, 1, D), advancing every layer's cache by one token.</summary>
    public Tensor Step(Tensor inputIds, InferenceCache cache) =>
        Run(inputIds, (block, i, hidden, residual) => block.Step(hidden, residual, cache[i]));

    public InferenceCache AllocateInferenceCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new(batch, maxSeqLen, Enumerable.Range(0, _config.NLayer).Select(i => Layer(i).mixer.AllocateCache(batch, maxSeqLen, dtype, device)));

    private delegate (Tensor Hidden, Tensor Residual) BlockCall(Block block, int index, Tensor hidden, Tensor? residual);

    private Tensor Run(Tensor inputIds, BlockCall call)
    {
        if (inputIds.dim() != 2)
            throw new ArgumentException($"input_ids must be (B, L) token ids; got [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
        var hidden = TokenEmbedding.call(inputIds);                                           // (B, L, D)
        Tensor? residual = null;
        for (var i = 0; i < _config.NLayer; i++)
        {
            var (nextHidden, nextResidual) = call(Layer(i), i, hidden, residual);
            hidden.Dispose();
            residual?.Dispose();
            (hidden, residual) = (nextHidden, nextResidual);
        }
        using (hidden)
        using (residual)
        using (var sum = Block.AddResidual(hidden, residual, _config.ResidualInFp32))
            return Block.Normalize(norm_f, sum);
    }
}
