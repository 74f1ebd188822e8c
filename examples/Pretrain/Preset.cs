using Lrnn.Config;
using Lrnn.Tokenization;
using Lrnn.Training;
using Newtonsoft.Json.Linq;

/// <summary>A model size with the training run that suits it.</summary>
internal sealed record Preset(string Name, string Description, LrnnConfig Config, TrainingOptions Training, int SequenceLength)
{
    public static readonly string[] Names = ["cpu", "gpu", "gpu-30m", "gpu-125m"];

    /// <param name="splitBytes">The vocabulary is the byte tokenizer's: split embeddings and head (bytes, special).</param>
    public static Preset Get(string name, int vocabSize, bool splitBytes = true) => name switch
    {
        // The README's main command: at most 5 minutes on two CPU cores (the time limit ends it earlier on a slow machine).
        // Sized for the CPU path with OpenBLAS, both cores and the native scans (~120 ms of one core per 1,024-token
        // step of this model, so ≥ 10,000 tokens/s on two): 1,200 steps of 16 × 128 tokens, 2.5M tokens, 8× the
        // 300 × 8 × 128 this preset trained on before (docs/pretraining.md).
        "cpu" => new(name, "~0.6M parameters, CPU, at most 5 minutes",
            Hybrid(vocabSize, splitBytes, dModel: 128, dState: 64, dIntermediate: 256, ["LRU", "attn", "RGLRU", "LRU"]),
            new TrainingOptions
            {
                MaxSteps = 1200, BatchSize = 16, LearningRate = 4e-3, WarmupSteps = 60, EvalInterval = 200, EvalBatches = 8, CheckpointInterval = 400,
                MaxDuration = TimeSpan.FromMinutes(5),
            },
            SequenceLength: 128),
        // The shipped checkpoint (< 16 MiB in float32, so one file of it comes back from the GPU machine): a few minutes on one GPU.
        "gpu" => new(name, "~4M parameters, GPU, a few minutes (the shipped checkpoint)",
            Hybrid(vocabSize, splitBytes, dModel: 256, dState: 128, dIntermediate: 512, ["LRU", "RGLRU", "attn", "LRU", "RGLRU", "attn"]),
            splitBytes
                ? new TrainingOptions { MaxSteps = 1500, BatchSize = 32, LearningRate = 3e-3, WarmupSteps = 150, EvalInterval = 250, EvalBatches = 40, CheckpointInterval = 500 }
                // A 4096-token BPE packs the corpus into ~1M tokens, a quarter of the bytes: 1,500 steps are 24 epochs, and
                // on an H200 validation was best at step 250 (1.237 bits/byte) and 2.82 at step 1,500 (memorised). So: 5 epochs.
                : new TrainingOptions { MaxSteps = 300, BatchSize = 32, LearningRate = 3e-3, WarmupSteps = 30, EvalInterval = 50, EvalBatches = 40, CheckpointInterval = 100 },
            SequenceLength: 512),
        "gpu-30m" => new(name, "~30M parameters, GPU",
            Hybrid(vocabSize, splitBytes, dModel: 512, dState: 256, dIntermediate: 1536, ["LRU", "RGLRU", "attn", "LRU", "RGLRU", "attn", "LRU", "RGLRU", "attn", "LRU"]),
            new TrainingOptions { MaxSteps = 10000, BatchSize = 32, LearningRate = 1.5e-3, WarmupSteps = 500, EvalInterval = 500, EvalBatches = 50, CheckpointInterval = 1000 },
            SequenceLength: 1024),
        "gpu-125m" => new(name, "~120M parameters, GPU",
            Hybrid(vocabSize, splitBytes, dModel: 768, dState: 256, dIntermediate: 2048, [.. Enumerable.Range(0, 20).Select(i => (i % 4) switch { 2 => "attn", 1 => "RGLRU", _ => "LRU" })]),
            new TrainingOptions { MaxSteps = 20000, BatchSize = 32, LearningRate = 6e-4, WarmupSteps = 1000, EvalInterval = 1000, EvalBatches = 50, CheckpointInterval = 2000 },
            SequenceLength: 1024),
        _ => throw new ArgumentException($"unknown preset '{name}' (known: {string.Join(", ", Names)})"),
    };

    // The mixer pattern: LRU and RG-LRU recurrences with some attention layers (each preset says where) and a gated MLP in every block.
    // The vocabulary is split into "bytes" (256 ids) and "special" (BOS, EOS, PAD): split embeddings and a split head,
    // tied per split, with no padding rows. Another tokenizer's vocabulary gets the plain tied head.
    private static LrnnConfig Hybrid(int vocabSize, bool splitBytes, long dModel, long dState, long dIntermediate, string[] mixers) => new LrnnConfig
    {
        PadVocabSizeMultiple = 1,
        LmHead = !splitBytes ? null : new LMHeadConfig
        {
            Name = LMHeadConfig.Split,
            SplitVocabSize = new Dictionary<string, long> { ["bytes"] = ByteTokenizer.ByteCount, ["special"] = vocabSize - ByteTokenizer.ByteCount },
            SplitOrder = ["bytes", "special"],
        },
        DModel = dModel,
        DState = dState,
        NLayer = mixers.Length,
        VocabSize = vocabSize,
        MixerTypes = mixers,
        DIntermediate = dIntermediate,
        TieEmbeddings = true,
        MixerKwargs = new JObject
        {
            ["LRU"] = new JObject { ["r_min"] = 0.9, ["r_max"] = 0.999 },
            ["attn"] = new JObject { ["num_heads"] = dModel / 64, ["rotary_emb_dim"] = 32 },
        },
    }.Validate();
}
