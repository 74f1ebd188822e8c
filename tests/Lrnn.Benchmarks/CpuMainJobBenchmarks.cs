using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Lrnn.Benchmarks.Lti;
using Lrnn.Data;
using Lrnn.Models;
using Lrnn.Tokenization;
using Lrnn.Torch;
using Lrnn.Training;

namespace Lrnn.Benchmarks;

/// <summary>
/// The CPU path's regression guard (issue 16), whole job: one optimizer step of the main job (examples/Pretrain's cpu
/// preset: its model, batch and sequence length; Preset.cs is compiled in) reported in training tokens/s, and one
/// 512² float32 matrix product, the BLAS's rate (reference BLAS ≈ 6 GFLOP/s, OpenBLAS ≈ 100 on two cores). Each prints
/// the median of its timed calls: <c>cpu_main_job_tokens_per_s=</c>, <c>cpu_matmul_gflops=</c>.
/// </summary>
[Config(typeof(Configuration))]
public class CpuMainJobBenchmarks
{
    private sealed class Configuration() : LtiBenchConfig(warmups: 2, iterations: 10);

    private Trainer _trainer = null!;
    private LrnnLMHeadModel _model = null!;
    private long _tokensPerStep;
    private Tensor _a = null!, _b = null!;
    private readonly List<double> _milliseconds = [];

    [GlobalSetup(Target = nameof(MainJobStep))]
    public void SetupMainJob()
    {
        var tokenizer = new ByteTokenizer();
        var preset = Preset.Get("cpu", tokenizer.VocabSize);
        var train = new PackedSequences(MainJobCorpus(), tokenizer, preset.SequenceLength);
        torch.manual_seed(0);
        _model = new LrnnLMHeadModel(preset.Config, device: Device.CPU);
        _trainer = new Trainer(_model, train, train, preset.Training);
        _tokensPerStep = (long)preset.Training.BatchSize * preset.Training.GradientAccumulationSteps * preset.SequenceLength;
    }

    // The KJV corpus when scripts/install-corpus.sh has put it in place, else generated text of a similar alphabet:
    // a step's cost does not depend on which bytes it trains on.
    private static List<string> MainJobCorpus()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "artifacts", "corpus", "kjv.txt");
            if (File.Exists(path)) return [.. TextCorpus.Load(path).Documents.Take(2000)];
        }
        var random = new Random(0);
        return [.. Enumerable.Range(0, 200).Select(_ => new string([.. Enumerable.Range(0, 4000).Select(_ => (char)random.Next(32, 123))]))];
    }

    /// <summary>One optimizer step of the main job.</summary>
    [Benchmark]
    public void MainJobStep()
    {
        var clock = Stopwatch.StartNew();
        _trainer.TrainStep();
        _milliseconds.Add(clock.Elapsed.TotalMilliseconds);
    }

    [GlobalCleanup(Target = nameof(MainJobStep))]
    public void CleanupMainJob()
    {
        CpuBenchReport.Print("cpu_main_job_tokens_per_s", _tokensPerStep / (CpuBenchReport.Median(_milliseconds) / 1000));
        _trainer.Dispose();
        _model.Dispose();
    }

    [GlobalSetup(Target = nameof(Matmul512))]
    public void SetupMatmul()
    {
        _a = torch.randn(512, 512);
        _b = torch.randn(512, 512);
    }

    /// <summary>One 512² float32 matrix product.</summary>
    [Benchmark]
    public void Matmul512()
    {
        var clock = Stopwatch.StartNew();
        torch.matmul(_a, _b).Dispose();
        _milliseconds.Add(clock.Elapsed.TotalMilliseconds);
    }

    [GlobalCleanup(Target = nameof(Matmul512))]
    public void CleanupMatmul()
    {
        CpuBenchReport.Print("cpu_matmul_gflops", 2.0 * 512 * 512 * 512 / (CpuBenchReport.Median(_milliseconds) / 1000) / 1e9);
        _a.Dispose();
        _b.Dispose();
    }
}
