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
        embedding = RegisterModule<Module<Tensor, Tensor>>("embedding", config.LmHead?.Vocabulary() is { } splits
            ? new SplitTokenEmbeddings(splits, config.DModel, dtype, device)
            : new Embedding(config.PaddedVocabSize, config.DModel, dtype: dtype, device: device));
        layers = RegisterModule("layers", new ModuleDict<Block>());
        for (var i = 0; i < config.NLayer; i++) layers.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new Block(config, i, dtype, device));
        norm_f = RegisterModule("norm_f", Block.CreateNorm(config, dtype, device));
    }

    // Named as lrnnx's attributes: these are the state-dict keys.
    /// <summary>The token embedding: an <see cref="Embedding"/>, or <see cref="SplitTokenEmbeddings"/> for a split vocabulary.</summary>
    public Module<Tensor, Tensor> embedding { get; }
    public ModuleDict<Block> layers { get; }
    public Module<Tensor, Tensor> norm_f { get; }

    public Block Layer(int index) => layers[index.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    /// <summary>
    /// inputIds (B, L) → hidden states (B, L, D) after norm_f. With <paramref name="cache"/>, every mixer continues
    /// from it and leaves the state after the last token in it (prefill). With <paramref name="documentIds"/> (B, L)
    /// int64, non-decreasing along each row, every mixer runs each document of a row alone from a fresh state
    /// (<see cref="DocumentSegments"/>): packed documents do not see each other. The context's
    /// <see cref="MixerContext.IntegrationTimesteps"/>, when given, are (B, L) like the ids.
    /// </summary>
    public Tensor Forward(Tensor inputIds, MixerContext context, InferenceCache? cache = null, Tensor? documentIds = null)
    {
        CheckIds(inputIds);
        // Checked here as well as in the event-driven mixers: before any layer has advanced a cache it prefills.
        if (context.IntegrationTimesteps is { } timesteps && !timesteps.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"integration_timesteps must be (B, L) = [{string.Join(", ", inputIds.shape)}] like input_ids; " +
                                        $"got [{string.Join(", ", timesteps.shape)}]", nameof(context));
        if (documentIds is not null && cache is not null)
            throw new ArgumentException("document_ids reset the state inside a sequence, a prefill carries it across the sequence into the cache: " +
                                        "prefill one document at a time instead", nameof(documentIds));
        if (documentIds is not null && context.Lengths is not null)
            throw new ArgumentException("give document_ids or lengths, not both: with document ids, give right padding a document id of its own " +
                                        "and ignore its outputs", nameof(documentIds));
        using var documents = documentIds is null ? null : DocumentSegments.Create(documentIds, inputIds);
        return Run(inputIds, (block, i, hidden, residual) =>
            block.Forward(hidden, residual, cache is null ? context : context with { Cache = cache[i] }, documents));
    }

    /// <summary>
    /// inputIds (B, 1) → hidden (B, 1, D), advancing every layer's cache by one token. <paramref name="integrationTimestep"/>
    /// (B) or (B, 1): the token's timestep for the event-driven mixers (Mamba, S5LTV; the others ignore it), handed to
    /// every layer in its <see cref="StepContext"/>; null steps with a unit timestep.
    /// </summary>
    public Tensor Step(Tensor inputIds, InferenceCache cache, Tensor? integrationTimestep = null)
    {
        CheckIds(inputIds);
        if (integrationTimestep is not null && (integrationTimestep.dim() is not (1 or 2) || integrationTimestep.numel() != inputIds.size(0)))
            throw new ArgumentException($"integration_timestep must be (B) or (B, 1) with B = {inputIds.size(0)}; " +
                                        $"got [{string.Join(", ", integrationTimestep.shape)}]", nameof(integrationTimestep));
        var context = integrationTimestep is null ? StepContext.None : new StepContext { IntegrationTimestep = integrationTimestep };
        return Run(inputIds, (block, i, hidden, residual) => block.Step(hidden, residual, cache[i], context));
    }

    public InferenceCache AllocateInferenceCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new(batch, maxSeqLen, Enumerable.Range(0, _config.NLayer).Select(i => Layer(i).mixer.AllocateCache(batch, maxSeqLen, dtype, device)));

    private delegate (Tensor Hidden, Tensor Residual) BlockCall(Block block, int index, Tensor hidden, Tensor? residual);

    private static void CheckIds(Tensor inputIds)
    {
        if (inputIds.dim() != 2)
            throw new ArgumentException($"input_ids must be (B, L) token ids; got [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
    }

    private Tensor Run(Tensor inputIds, BlockCall call)
    {
        var hidden = embedding.call(inputIds);                                           // (B, L, D)
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
