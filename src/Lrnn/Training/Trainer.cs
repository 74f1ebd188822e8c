using System.Diagnostics;
using Lrnn.Checkpoints;
using Lrnn.Config;
using Lrnn.Data;
using Lrnn.Losses;
using Lrnn.Models;
using Lrnn.SafeTensors;
using Lrnn.Tokenization;
using Lrnn.Torch;
using Lrnn.Torch.Optim;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lrnn.Training;

/// <summary>
/// Pretrains an <see cref="LrnnLMHeadModel"/> on packed sequences with next-token cross-entropy: AdamW (decoupled
/// weight decay, optionally none on norms, biases and embeddings), linear warmup + cosine decay, gradient clipping,
/// gradient accumulation, optional autocast, periodic validation (loss and perplexity) and resumable checkpoints.
/// <para>
/// The loss is the model head's (<see cref="LrnnLMHeadModel.Forward(Tensor, Tensor, LMLossOptions?, Tensor?, Tensor?, Tensor?)"/>:
/// tied, split or normalized head, with the loss implementation its config names). Accumulation is exact: each
/// micro-batch's loss is the <em>sum</em> over its targets divided by the number of targets of the whole optimizer step
/// (the loss_div_factor), so the summed gradients are those of the mean over all
/// of the step's tokens, however the tokens fall into micro-batches and however many labels are ignored.
/// </para>
/// <para>
/// A checkpoint is one folder: the model as <see cref="LrnnLMHeadModel.SavePretrained"/> writes it (so
/// <see cref="LrnnLMHeadModel.FromPretrained"/> loads it), the tokenizer, <c>optimizer.bin</c>,
/// <see cref="TrainerState.FileName"/> (step, data position, RNG state, history); <see cref="CheckpointSaved"/> lets an
/// observer add files beside it (the examples draw the loss curve). <see cref="Resume"/> from it continues
/// bit-identically on CPU.
/// </para>
/// <para>
/// The trainer draws nothing: progress goes to an <see cref="IProgress{T}"/> of <see cref="TrainingStatus"/> when one is
/// given (a progress bar), otherwise to the logger as a plain line every <see cref="TrainingOptions.LogInterval"/> steps.
/// </para>
/// </summary>
public sealed class Trainer : IDisposable
{
    public const string OptimizerFileName = "optimizer.bin";

    private readonly LrnnLMHeadModel _model;
    private readonly PackedSequences _train;
    private readonly PackedSequences _validation;
    private readonly TrainingOptions _options;
    private readonly ILogger _logger;
    private readonly LrnnTokenizer? _tokenizer;
    private readonly AdamW _optimizer;
    private readonly WarmupCosineSchedule _schedule;
    private readonly SequenceSampler _sampler;
    private readonly Device _device;

    public Trainer(LrnnLMHeadModel model, PackedSequences train, PackedSequences validation, TrainingOptions options,
        ILogger? logger = null, LrnnTokenizer? tokenizer = null)
    {
        options.Validate();
        if (train.SequenceLength != validation.SequenceLength)
            throw new ArgumentException($"train sequences have {train.SequenceLength} tokens, validation sequences {validation.SequenceLength}");
        // The packed labels mark document boundaries with PackedSequences.IgnoreIndex: the head's loss must skip the same id.
        if (model.lm_head.Loss.IgnoreIndex != PackedSequences.IgnoreIndex)
            throw new ArgumentException($"the head's loss ignores label {model.lm_head.Loss.IgnoreIndex}, but packed sequences mark " +
                                        $"ignored positions with {PackedSequences.IgnoreIndex}: set lm_head.loss.ignore_index to {PackedSequences.IgnoreIndex}");
        if (tokenizer is not null && tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} ids but the model's vocab_size is {model.Config.VocabSize}");
        _model = model;
        _train = train;
        _validation = validation;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _tokenizer = tokenizer;
        _device = model.lm_head.WeightBlocks[0].device;
        _optimizer = new AdamW(ParameterGroups.For(model, options.WeightDecay, options.DecayOnlyMatrices),
            lr: options.LearningRate, betas: options.Betas, weight_decay: options.WeightDecay);
        _schedule = new WarmupCosineSchedule(options.LearningRate, options.MinLearningRateRatio, options.WarmupSteps, options.MaxSteps);
        _sampler = new SequenceSampler(train.Count, options.BatchSize, options.Seed);
        torch.manual_seed((ulong)options.Seed);
    }

    /// <summary>Optimizer steps taken (including those before a resume).</summary>
    public long Step { get; private set; }

    /// <summary>Training tokens consumed (inputs of every micro-batch).</summary>
    public long TokensSeen { get; private set; }

    public TrainingHistory History { get; private set; } = new();

    /// <summary>Raised after every checkpoint is written (on the training thread).</summary>
    public event EventHandler<CheckpointSavedEventArgs>? CheckpointSaved;

    /// <summary>
    /// The last <see cref="Evaluate"/>'s loss per byte of text in bits (total nats / total UTF-8 bytes of the targets /
    /// ln 2): unlike the loss per token it compares runs with different tokenizers. NaN before the first evaluation.
    /// </summary>
    public double ValidationBitsPerByte { get; private set; } = double.NaN;

    /// <summary>
    /// Trains until <see cref="TrainingOptions.MaxSteps"/>, <see cref="TrainingOptions.MaxDuration"/> or cancellation,
    /// validating and checkpointing (into <paramref name="checkpointDirectory"/>, when given) at the configured
    /// intervals and at the end. Cancellation is checked between optimizer steps: the run then ends as at the time
    /// limit, with a final validation and checkpoint (resumable), and <see cref="TrainingResult.StoppedEarly"/> set.
    /// <paramref name="progress"/>, when given, receives a <see cref="TrainingStatus"/> after every step (and replaces
    /// the logged step lines).
    /// </summary>
    public TrainingResult Train(string? checkpointDirectory = null, CancellationToken cancellationToken = default,
        IProgress<TrainingStatus>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var (firstStep, firstTokens) = (Step, TokensSeen);
        _logger.LogInformation("Training {Parameters:N0} parameters from step {Step} to {MaxSteps}: {Sequences} sequences of {Length} tokens, " +
                               "{Batch} × {Accumulation} sequences per step, {Device}",
            _model.parameter_count(), Step, _options.MaxSteps, _train.Count, _train.SequenceLength, _options.BatchSize,
            _options.GradientAccumulationSteps, _device);
        var stoppedEarly = false;
        if (Step == 0 && History.Validation.Count == 0) ValidateAndRecord();   // where the curve starts
        _model.train();
        while (Step < _options.MaxSteps)
        {
            if (cancellationToken.IsCancellationRequested || clock.Elapsed > _options.MaxDuration)
            {
                stoppedEarly = true;
                break;
            }
            var (loss, learningRate) = TrainStep();
            var elapsed = clock.Elapsed;
            var done = Step - firstStep;
            var status = new TrainingStatus(Step, _options.MaxSteps, loss, learningRate, TokensSeen,
                (TokensSeen - firstTokens) / Math.Max(1e-9, elapsed.TotalSeconds), elapsed,
                done <= 0 ? TimeSpan.Zero : elapsed / done * (_options.MaxSteps - Step), LastValidationLoss);
            if (progress is not null) progress.Report(status);
            else if (Step % _options.LogInterval == 0 || Step == 1)
                _logger.LogInformation("step {Step}/{MaxSteps} loss {Loss:F4} lr {LearningRate:E2} {TokensPerSecond:F0} tok/s ETA {Eta:hh\\:mm\\:ss}",
                    Step, _options.MaxSteps, loss, learningRate, status.TokensPerSecond, status.Eta);
            var last = Step == _options.MaxSteps;
            if (last || (_options.EvalInterval > 0 && Step % _options.EvalInterval == 0))
                ValidateAndRecord();
            if (checkpointDirectory is not null && !last && _options.CheckpointInterval > 0 && Step % _options.CheckpointInterval == 0)
                SaveCheckpoint(checkpointDirectory);
        }
        if (History.Validation.Count == 0 || History.Validation[^1].Step != Step) ValidateAndRecord();
        if (checkpointDirectory is not null) SaveCheckpoint(checkpointDirectory);
        return new TrainingResult(Step, TokensSeen, History.Validation[^1].Loss, clock.Elapsed, stoppedEarly, ValidationBitsPerByte);
    }

    /// <summary>One optimizer step over <see cref="TrainingOptions.GradientAccumulationSteps"/> micro-batches; returns its mean loss and learning rate.</summary>
    public (double Loss, double LearningRate) TrainStep()
    {
        var learningRate = _schedule.LearningRate(Step);
        foreach (var group in _optimizer.param_groups) group.lr = learningRate;
        var microBatches = new List<TrainingBatch>();
        try
        {
            for (var i = 0; i < _options.GradientAccumulationSteps; i++) microBatches.Add(_train.GetBatch(_sampler.Next(), _device));
            var targets = Math.Max(1, microBatches.Sum(b => b.TargetCount));     // the loss_div_factor
            var lossSum = 0.0;
            foreach (var batch in microBatches)
            {
                using var scope = torch.NewDisposeScope();
                using var output = Loss(batch, lossDivFactor: targets);
                output.Loss.backward();
                lossSum += output.CeLoss.item<double>() * targets;
                TokensSeen += batch.InputIds.numel();
            }
            if (_options.GradientClipNorm > 0)
                torch.nn.utils.clip_grad_norm_(_model.parameters(), _options.GradientClipNorm).Dispose();
            _optimizer.step();
            _model.AfterOptimizerStep();                                          // nGPT's head: rows back to unit norm
            _optimizer.zero_grad();
            Step++;
            var loss = lossSum / targets;
            History.Train.Add(new LossPoint(Step, loss));
            return (loss, learningRate);
        }
        finally
        {
            foreach (var batch in microBatches) batch.Dispose();
        }
    }

    /// <summary>Mean next-token loss over the validation sequences (<see cref="TrainingOptions.EvalBatches"/> batches, 0: all).</summary>
    public double Evaluate()
    {
        var wasTraining = _model.training;
        _model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            var batches = (_validation.Count + _options.BatchSize - 1) / _options.BatchSize;
            if (_options.EvalBatches > 0) batches = Math.Min(batches, _options.EvalBatches);
            double lossSum = 0;
            long targets = 0, bytes = 0;
            for (var b = 0; b < batches; b++)
            {
                var first = b * _options.BatchSize;
                var indices = Enumerable.Range(first, Math.Min(_options.BatchSize, _validation.Count - first)).ToArray();
                using var batch = _validation.GetBatch(indices, _device);
                using var scope = torch.NewDisposeScope();
                using var output = Loss(batch, lossDivFactor: null);
                lossSum += output.CeLoss.item<double>();
                targets += batch.TargetCount;
                bytes += batch.TargetBytes;
            }
            ValidationBitsPerByte = bytes > 0 ? lossSum / bytes / Math.Log(2) : double.NaN;
            return lossSum / Math.Max(1, targets);
        }
        finally
        {
            _model.train(wasTraining);
        }
    }

    /// <summary>
    /// The head's loss (its configured cross-entropy implementation and z-loss) summed over the batch's targets (ignored
    /// labels contribute nothing) and divided by <paramref name="lossDivFactor"/>; <see cref="LMOutput.CeLoss"/> is the
    /// cross-entropy part, for logging.
    /// </summary>
    private LMOutput Loss(TrainingBatch batch, long? lossDivFactor)
    {
        using var autocast = _options.AutocastDtype is { } dtype ? torch.autocast(dtype, _device.Type) : null;
        return _model.Forward(batch.InputIds, batch.Labels, new LMLossOptions { Reduction = LossReduction.Sum, LossDivFactor = lossDivFactor },
            documentIds: _options.ResetStateAtDocumentBoundaries ? batch.DocumentIds : null);
    }

    /// <summary>The last validation loss recorded, or null before any (a resumed run whose checkpoint holds none).</summary>
    private double? LastValidationLoss => History.Validation.Count > 0 ? History.Validation[^1].Loss : null;

    private double ValidateAndRecord()
    {
        var loss = Evaluate();
        History.Validation.Add(new LossPoint(Step, loss));
        _logger.LogInformation("step {Step}: validation loss {Loss:F4}, perplexity {Perplexity:F2} ({Bits:F3} bits/token, {BitsPerByte:F4} bits/byte)",
            Step, loss, Math.Exp(loss), loss / Math.Log(2), ValidationBitsPerByte);
        return loss;
    }

    // ---- checkpoints -------------------------------------------------------------------------------------------

    /// <summary>
    /// Writes the model, tokenizer, optimizer and trainer state into <paramref name="directory"/>, as one atomic
    /// replacement of the folder (<see cref="AtomicFolder"/>): a run killed while saving leaves the previous checkpoint
    /// whole, never new weights with an old optimizer state or step. Then raises <see cref="CheckpointSaved"/>.
    /// </summary>
    public void SaveCheckpoint(string directory)
    {
        AtomicFolder.Replace(directory, staging =>
        {
            _model.WritePretrained(staging, maxShardBytes: null);
            _tokenizer?.Save(staging);
            _optimizer.save_state_dict(Path.Combine(staging, OptimizerFileName));
            new TrainerState
            {
                Step = Step,
                BatchesDrawn = _sampler.BatchesDrawn,
                TokensSeen = TokensSeen,
                RngState = TrainerState.CaptureRng(),
                History = History,
                Options = _options,
            }.Save(staging);
        }, IsCheckpointFile);
        _logger.LogInformation("step {Step}: checkpoint written to {Directory}", Step, directory);
        CheckpointSaved?.Invoke(this, new CheckpointSavedEventArgs(directory, Step, History));
    }

    /// <summary>The files a training checkpoint consists of: a new one supersedes them even where it lacks one.</summary>
    private static bool IsCheckpointFile(string name) =>
        SafeTensorsCheckpoint.IsWeightsFile(name) || name is LrnnConfig.FileName or OptimizerFileName or TrainerState.FileName
            or LrnnTokenizer.FileName or LrnnTokenizer.ConfigFileName;

    /// <summary>Restores the weights, optimizer, step, data position, RNG state and history of a checkpoint.</summary>
    public void Resume(string directory)
    {
        using (var checkpoint = SafeTensorsCheckpoint.Load(directory, _device))
            _model.load_state_dict(checkpoint.Tensors, strict: true);
        _optimizer.load_state_dict(Path.Combine(directory, OptimizerFileName));
        var state = TrainerState.Load(directory);
        Step = state.Step;
        TokensSeen = state.TokensSeen;
        _sampler.BatchesDrawn = state.BatchesDrawn;
        History = state.History;
        state.RestoreRng();
        _logger.LogInformation("Resumed from {Directory} at step {Step}", directory, Step);
    }

    public void Dispose() => _optimizer.Dispose();
}
