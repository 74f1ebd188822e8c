using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Lrnn.Models;
using Lrnn.Torch;

namespace Lrnn.Generation;

/// <summary>
/// Autoregressive generation for a batch of prompts of any lengths: the prompts are processed by the parallel
/// forward (<see cref="LrnnLMHeadModel.Prefill"/>), then the cached <see cref="LrnnLMHeadModel.Step"/> produces one
/// token per sequence per call.
/// <para>
/// Ragged batches without padding error: the prefix that every prompt has (the shortest prompt's length) is
/// prefilled in one call; a longer prompt's remaining tokens are then fed through Step alongside the other sequences'
/// generated tokens (its predictions at those positions are discarded). No pad token ever enters a recurrent state or
/// an attention cache, so each sequence is exactly what it would be alone, for every mixer.
/// </para>
/// </summary>
public static class TextGeneration
{
    /// <summary>
    /// Continues every prompt (non-empty token ids) and returns the generated tokens of each, without stop tokens.
    /// <paramref name="onToken"/>, when given, receives each token as soon as it is chosen (streaming).
    /// <paramref name="cancellationToken"/> is checked before every token: cancelling throws
    /// <see cref="OperationCanceledException"/> before the next token is computed.
    /// </summary>
    public static IReadOnlyList<long[]> Generate(this LrnnLMHeadModel model, IReadOnlyList<long[]> prompts, GenerationOptions options,
        Action<GeneratedToken>? onToken = null, CancellationToken cancellationToken = default)
    {
        var outputs = prompts.Select(_ => new List<long>()).ToArray();
        foreach (var token in Run(model, prompts, options, cancellationToken))
        {
            outputs[token.Sequence].Add(token.Token);
            onToken?.Invoke(token);
        }
        return outputs.Select(o => o.ToArray()).ToArray();
    }

    /// <summary>
    /// Streams the generated tokens of every prompt as they are chosen. Generation runs on a thread of its own (libtorch's
    /// grad mode and the model's caches are per thread, while an async consumer may resume anywhere) and hands each
    /// token over through a channel; leaving the loop early stops it, and cancelling throws
    /// <see cref="OperationCanceledException"/> before the next token is handed out.
    /// </summary>
    public static async IAsyncEnumerable<GeneratedToken> GenerateAsync(this LrnnLMHeadModel model, IReadOnlyList<long[]> prompts,
        GenerationOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var token in Run(model, prompts, options, stop.Token)) channel.Writer.TryWrite(token);
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            // Not ReadAllAsync: it hands out buffered tokens without looking at the token again, so a consumer slower than
            // the model would keep receiving tokens after cancelling.
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                while (channel.Reader.TryRead(out var token))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return token;
                }
        }
        finally
        {
            await stop.CancelAsync();
            await producer;
        }
    }

    private static IEnumerable<GeneratedToken> Run(LrnnLMHeadModel model, IReadOnlyList<long[]> prompts, GenerationOptions options,
        CancellationToken cancellationToken)
    {
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        if (prompts.Count == 0) yield break;
        for (var b = 0; b < prompts.Count; b++)
            if (prompts[b].Length == 0) throw new ArgumentException($"prompt {b} is empty: give at least one token (for example BOS)", nameof(prompts));

        var batch = prompts.Count;
        var vocab = (int)model.Config.VocabSize;
        var shortest = prompts.Min(p => p.Length);
        var longest = prompts.Max(p => p.Length);
        var device = model.lm_head.WeightBlocks[0].device;
        var samplers = Enumerable.Range(0, batch).Select(b => new TokenSampler(options, options.Seed + b)).ToArray();
        var seen = prompts.Select(p => new HashSet<long>(p)).ToArray();
        var counts = prompts.Select(_ => new Dictionary<long, int>()).ToArray();          // generated tokens only
        var generated = new int[batch];
        var finished = new bool[batch];
        var lastInput = new long[batch];

        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            // The longest prompt feeds all its tokens and MaxNewTokens − 1 generated ones (the last is never fed).
            using var cache = model.AllocateInferenceCache(batch, longest + options.MaxNewTokens - 1);
            var logits = Prefill(model, prompts, shortest, cache, device);
            try
            {
                for (var position = shortest; ; position++)
                {
                    // logits row b predicts the token at `position` of sequence b.
                    var rows = HostLogits(logits, batch, vocab);
                    for (var b = 0; b < batch; b++)
                    {
                        if (position < prompts[b].Length)
                        {
                            lastInput[b] = prompts[b][position];                 // still reading its prompt
                            continue;
                        }
                        if (finished[b]) continue;
                        cancellationToken.ThrowIfCancellationRequested();
                        var token = samplers[b].Next(rows.AsSpan(b * vocab, vocab), seen[b], counts[b]);
                        if (options.StopTokens.Contains(token) || ++generated[b] == options.MaxNewTokens) finished[b] = true;
                        lastInput[b] = token;
                        if (options.StopTokens.Contains(token)) continue;
                        seen[b].Add(token);
                        counts[b][token] = counts[b].GetValueOrDefault(token) + 1;
                        yield return new GeneratedToken(b, token);
                    }
                    if (finished.All(f => f)) yield break;
                    cancellationToken.ThrowIfCancellationRequested();
                    logits.Dispose();
                    using var input = torch.tensor(lastInput, [batch, 1], device);   // finished rows repeat their last token, ignored
                    logits = model.Step(input, cache);
                }
            }
            finally
            {
                logits.Dispose();
            }
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Prefills the first <paramref name="length"/> tokens of every prompt; returns the last position's logits (B, 1, V_pad).</summary>
    private static Tensor Prefill(LrnnLMHeadModel model, IReadOnlyList<long[]> prompts, int length, Inference.InferenceCache cache, Device device)
    {
        var ids = new long[prompts.Count * length];
        for (var b = 0; b < prompts.Count; b++) Array.Copy(prompts[b], 0, ids, b * length, length);
        using var input = torch.tensor(ids, [prompts.Count, length], device);
        return model.Prefill(input, cache);
    }

    /// <summary>The real vocabulary's logits of every sequence, float64 on the host, (B·V) row-major.</summary>
    private static double[] HostLogits(Tensor logits, int batch, int vocab)
    {
        using var rows = logits.view(batch, -1);                                       // (B, V_pad)
        using var real = rows.narrow(1, 0, vocab);                                     // (B, V)
        using var host = real.to(ScalarType.Float64, Device.CPU);
        return host.ToArray<double>();
    }
}
