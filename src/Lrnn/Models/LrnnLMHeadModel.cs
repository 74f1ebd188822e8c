using Lrnn.Checkpoints;
using Lrnn.Config;
using Lrnn.Heads;
using Lrnn.Inference;
using Lrnn.Losses;
using Lrnn.Modules;
using Lrnn.SafeTensors;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lrnn.Models;

/// <summary>
/// The language model (lrnnx's <c>LRNNLMHeadModel</c>): <c>backbone</c> (<see cref="LrnnModel"/>) and <c>lm_head</c>,
/// with lrnnx's configuration, state-dict keys and initialisation, so checkpoints are exchangeable with PyTorch.
/// Logits cover the padded vocabulary (<see cref="LrnnConfig.PaddedVocabSize"/>), as lrnnx.
/// Generation: <see cref="AllocateInferenceCache"/>, then <see cref="Prefill"/> the prompt in one parallel call,
/// then <see cref="Step"/> token by token; the three paths compute the same function as <c>Forward</c>.
/// Training: <c>Forward(inputIds, labels, options)</c> returns the head's loss
/// (<see cref="LMOutput"/>). The head is lrnnx's tied linear map unless <see cref="LrnnConfig.LmHead"/> chooses another.
/// </summary>
public sealed class LrnnLMHeadModel : Module
{
    public const string WeightsFileName = SafeTensorsCheckpoint.SingleFileName;

    public LrnnLMHeadModel(LrnnConfig config, ScalarType? dtype = null, Device? device = null)
    {
        Config = config.Validate();
        backbone = RegisterModule("backbone", new LrnnModel(config, dtype, device));
        var head = config.LmHead ?? new LMHeadConfig();
        lm_head = RegisterModule("lm_head", LanguageModelHeads.Build(head, config.DModel, config.PaddedVocabSize, () => Block.CreateNorm(config, dtype, device), dtype, device));
        LrnnInitialization.Apply(this, config.NLayer, config.Initializer);
        if (config.TieEmbeddings) TieWeights();
        AfterOptimizerStep();   // the tie replaced the head's unit rows with the embedding's
    }

    public LrnnConfig Config { get; }

    // Named as lrnnx's attributes: these are the state-dict keys.
    public LrnnModel backbone { get; }
    public LanguageModelHead lm_head { get; }

    /// <summary>
    /// Restores the constraints that an optimizer step breaks: the normalized (nGPT) head's unit-norm rows, tied embedding
    /// included. <see cref="Training.Trainer"/> calls it after every optimizer step; a hand-written training loop must call
    /// it after each <c>optimizer.step()</c>. A no-op for the other heads.
    /// </summary>
    public void AfterOptimizerStep() => lm_head.AfterOptimizerStep();

    /// <summary>Makes each head weight the matching embedding weight (one tensor under both keys; per split for a split vocabulary).</summary>
    public void TieWeights()
    {
        if (lm_head is SplitLMHead split)
        {
            var embeddings = (SplitTokenEmbeddings)backbone.embedding;
            foreach (var name in split.Vocabulary.Order) split.Split(name).weight = embeddings.Split(name).weight;
        }
        else
        {
            lm_head.SetParameter("weight", ((Embedding)backbone.embedding).weight);
        }
    }

    /// <summary>The (head key, embedding key) pairs that tying makes one tensor: lm_head.weight and backbone.embedding.weight,
    /// or lm_head.&lt;split&gt;.weight and backbone.embedding.&lt;split&gt;.weight.</summary>
    public IEnumerable<(string Head, string Embedding)> TiedKeys() => lm_head is SplitLMHead split
        ? split.Vocabulary.Order.Select(s => ($"lm_head.{s}.weight", $"backbone.embedding.{s}.weight")).ToList()
        : [("lm_head.weight", "backbone.embedding.weight")];

    /// <summary>
    /// inputIds (B, L) int64 → logits (B, L, V_pad), or (B, n, V_pad) for the last <paramref name="numLastTokens"/> &gt; 0.
    /// <paramref name="lengths"/> (B) and <paramref name="integrationTimesteps"/> (B, L) are passed to every mixer
    /// (see <see cref="MixerContext"/>). <paramref name="documentIds"/> (B, L) int64, non-decreasing along each row,
    /// runs every document of a packed row alone from a fresh state (see <see cref="LrnnModel.Forward"/>).
    /// </summary>
    public Tensor Forward(Tensor inputIds, long numLastTokens = 0, Tensor? lengths = null, Tensor? integrationTimesteps = null,
        Tensor? documentIds = null)
    {
        var context = new MixerContext { Lengths = lengths, IntegrationTimesteps = integrationTimesteps };
        using var hidden = backbone.Forward(inputIds, context, documentIds: documentIds);
        return Logits(hidden, numLastTokens);
    }

    /// <summary>
    /// inputIds (B, L) and labels (B, L) aligned with them (<see cref="LanguageModelingLabels.FromInputIds"/>: the next
    /// token, −100 where there is none) → the head's loss, its logged parts and, when asked, the logits (B, L, V_pad).
    /// <paramref name="documentIds"/>: as in the logits overload (the trainer passes a packed batch's).
    /// </summary>
    public LMOutput Forward(Tensor inputIds, Tensor labels, LMLossOptions? options = null, Tensor? lengths = null, Tensor? integrationTimesteps = null,
        Tensor? documentIds = null)
    {
        var context = new MixerContext { Lengths = lengths, IntegrationTimesteps = integrationTimesteps };
        using var hidden = backbone.Forward(inputIds, context, documentIds: documentIds);
        return lm_head.Forward(hidden, labels, options);
    }

    /// <summary>Caches for <paramref name="batch"/> sequences of up to <paramref name="maxSeqLen"/> tokens, in the parameters' dtype unless given.</summary>
    public InferenceCache AllocateInferenceCache(long batch, long maxSeqLen, ScalarType? dtype = null)
    {
        var weight = lm_head.WeightBlocks[0];
        return backbone.AllocateInferenceCache(batch, maxSeqLen, dtype ?? weight.dtype, weight.device);
    }

    /// <summary>
    /// Runs the prompt inputIds (B, L) through the parallel path, leaving every layer's state after its last token in
    /// <paramref name="cache"/> (which may already hold earlier tokens). Returns the logits of the last
    /// <paramref name="numLastTokens"/> positions (B, n, V_pad); 0 returns all of them. Every sequence of the batch
    /// may be right-padded: <paramref name="lengths"/> (B) then counts each sequence's valid tokens (whole sequences, when
    /// the cache already holds some), and every layer's cache is left after the sequence's own last token, so the steps
    /// that follow continue each sequence as if it had been prefilled alone (<see cref="LengthMask"/>); the logits at
    /// padded positions are unspecified (with numLastTokens = 1, take each row's logits from a prefill with numLastTokens = 0).
    /// <paramref name="integrationTimesteps"/> (B, L): the prompt's timesteps for the event-driven mixers, as in Forward.
    /// </summary>
    public Tensor Prefill(Tensor inputIds, InferenceCache cache, long numLastTokens = 1, Tensor? integrationTimesteps = null, Tensor? lengths = null)
    {
        CheckBatch(inputIds, cache);
        using var hidden = backbone.Forward(inputIds, new MixerContext { IntegrationTimesteps = integrationTimesteps, Lengths = lengths }, cache);
        return Logits(hidden, numLastTokens);
    }

    /// <summary>
    /// One token per sequence: inputIds (B, 1) → logits (B, 1, V_pad), advancing <paramref name="cache"/>.
    /// <paramref name="integrationTimestep"/> (B) or (B, 1): the token's timestep for the event-driven mixers.
    /// </summary>
    public Tensor Step(Tensor inputIds, InferenceCache cache, Tensor? integrationTimestep = null)
    {
        if (inputIds.dim() != 2 || inputIds.size(1) != 1)
            throw new ArgumentException($"Step takes input_ids of shape (B, 1); got [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
        CheckBatch(inputIds, cache);
        using var hidden = backbone.Step(inputIds, cache, integrationTimestep);
        return lm_head.Forward(hidden);
    }

    private Tensor Logits(Tensor hidden, long numLastTokens)
    {
        if (numLastTokens <= 0) return lm_head.Forward(hidden);
        var length = hidden.size(1);
        if (numLastTokens > length) throw new ArgumentOutOfRangeException(nameof(numLastTokens), $"numLastTokens ({numLastTokens}) exceeds the sequence length ({length})");
        using var last = hidden.narrow(1, length - numLastTokens, numLastTokens);
        return lm_head.Forward(last);
    }

    private static void CheckBatch(Tensor inputIds, InferenceCache cache)
    {
        if (inputIds.dim() != 2 || inputIds.size(0) != cache.Batch)
            throw new ArgumentException($"input_ids [{string.Join(", ", inputIds.shape)}] do not match the cache's batch of {cache.Batch}", nameof(inputIds));
    }

    // ---- checkpoints -------------------------------------------------------------------------------------------

    /// <summary>Full keys a checkpoint may hold that this configuration accepts and ignores (<see cref="Mixer.UnusedCheckpointKeys"/>).</summary>
    public IEnumerable<string> UnusedCheckpointKeys() =>
        Enumerable.Range(0, Config.NLayer).SelectMany(i => backbone.Layer(i).mixer.UnusedCheckpointKeys
            .Select(key => $"backbone.layers.{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}.mixer.{key}"));

    /// <summary>
    /// Writes <c>config.json</c> and <c>model.safetensors</c> into <paramref name="directory"/>, or, with
    /// <paramref name="maxShardBytes"/>, shards of at most that size plus <c>model.safetensors.index.json</c>. A tied
    /// lm_head.weight is stored once (under backbone.embedding.weight) and the tie recorded in the metadata.
    /// The folder is replaced as a whole (<see cref="AtomicFolder"/>): killed at any moment, it holds the previous
    /// checkpoint or this one, never a new config with old weights; other files in it stay.
    /// <paramref name="layout"/> <see cref="CheckpointLayout.HuggingFaceMamba"/> writes transformers' MambaForCausalLM
    /// layout instead (its config.json and key names; refused for a model it cannot express).
    /// </summary>
    public void SavePretrained(string directory, long? maxShardBytes = null, ILogger? logger = null, CheckpointLayout layout = CheckpointLayout.Lrnn)
    {
        logger ??= NullLogger.Instance;
        if (layout == CheckpointLayout.MambaSsm)
            throw new NotSupportedException("saving in mamba_ssm's layout is not supported; save in Lrnn's or transformers' layout");
        var count = 0;
        AtomicFolder.Replace(directory, staging => count = WritePretrained(staging, maxShardBytes, layout), SafeTensorsCheckpoint.IsWeightsFile);
        logger.LogInformation("Saved {Count} tensors and {Config} to {Directory} ({Layout} layout)", count, LrnnConfig.FileName, directory, layout);
    }

    /// <summary>Writes the config and the weights into <paramref name="folder"/> in place (a folder the caller replaces
    /// as a whole, as <see cref="SavePretrained"/> and the trainer's checkpoints do); returns the tensor count.</summary>
    internal int WritePretrained(string folder, long? maxShardBytes, CheckpointLayout layout = CheckpointLayout.Lrnn)
    {
        var hfConfig = layout == CheckpointLayout.HuggingFaceMamba ? HuggingFaceMambaLayout.FromLrnnConfig(Config) : null;
        if (hfConfig is null) Config.Save(folder);
        else ConfigFile.Write(Path.Combine(folder, LrnnConfig.FileName), hfConfig.ToString(Newtonsoft.Json.Formatting.Indented));
        using var state = state_dict();
        var tensors = hfConfig is null ? (IReadOnlyDictionary<string, Tensor>)state : HuggingFaceMambaLayout.FromLrnnState(state, Config);
        SafeTensorsCheckpoint.WriteInto(folder, tensors, maxShardBytes);
        return tensors.Count;
    }

    /// <summary>
    /// Builds the model described by <c>config.json</c> in <paramref name="directory"/> and loads its weights strictly:
    /// a missing, unexpected or mis-shaped key throws, listing all of them. A tied model's lm_head.weight may be present
    /// (PyTorch's state_dict) or absent (stored once). The folder may be Lrnn's, lrnnx's (pytorch_model.bin),
    /// mamba_ssm's or transformers' MambaForCausalLM (<see cref="CheckpointLayout"/>, detected from config.json);
    /// weights are model.safetensors (single or sharded) or pytorch_model.bin, read without running its pickle.
    /// <paramref name="mixerKwargs"/>: the mixer kwargs of an lrnnx folder, whose config.json lacks them (as lrnnx's from_pretrained).
    /// A large checkpoint's load can be cancelled between tensors (<see cref="OperationCanceledException"/>, nothing left
    /// allocated) and reports each tensor read to <paramref name="progress"/>.
    /// </summary>
    public static LrnnLMHeadModel FromPretrained(string directory, Device? device = null, ScalarType? dtype = null, ILogger? logger = null,
        Newtonsoft.Json.Linq.JObject? mixerKwargs = null, CancellationToken cancellationToken = default, IProgress<CheckpointLoadProgress>? progress = null)
    {
        logger ??= NullLogger.Instance;
        var (layout, config) = PretrainedFolder.LoadConfig(directory, mixerKwargs);
        var model = new LrnnLMHeadModel(config, dtype, device);
        try
        {
            using var checkpoint = PretrainedFolder.LoadWeights(directory, layout, device, dtype, cancellationToken, progress);
            // A tied lm_head.weight comes back as an alias when the file records the tie; a file without that record
            // (written by another tool) gets the embedding under both names here.
            var source = new Dictionary<string, Tensor>(checkpoint.Tensors);
            foreach (var (head, embedding) in model.TiedKeys())
                if (config.TieEmbeddings && !source.ContainsKey(head) && source.TryGetValue(embedding, out var shared))
                    source[head] = shared;
            foreach (var key in model.UnusedCheckpointKeys().Where(source.Remove))
                logger.LogInformation("Ignored {Key}: this configuration does not use it", key);
            model.load_state_dict(source, strict: true);
            logger.LogInformation("Loaded {Count} tensors from {Directory} ({Layout} layout)", checkpoint.Tensors.Count, directory, layout);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
