using System.Runtime.CompilerServices;
using Lrnn.Generation;
using Lrnn.Models;
using Lrnn.Tokenization;
using Lrnn.Torch;
using Microsoft.Extensions.AI;

namespace Lrnn.Extensions.AI;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="IChatClient"/> over an <see cref="LrnnLMHeadModel"/>: the messages become a
/// prompt through <see cref="LrnnChatClientOptions.PromptTemplate"/>, <see cref="ChatOptions"/> become
/// <see cref="GenerationOptions"/>, and the reply streams as the model generates it
/// (<see cref="TextGeneration.GenerateAsync"/>).
/// <para>
/// Requests on one client run one at a time (a model's forward is not thread-safe); cancelling a request stops
/// generation before its next token. A stop string ends the reply before it (it is never streamed, even in part);
/// EOS ends it too (<see cref="ChatFinishReason.Stop"/>), the token limit with <see cref="ChatFinishReason.Length"/>.
/// Usage counts are tokens: the prompt's, and those generated (a final EOS included).
/// </para>
/// </summary>
public sealed class LrnnChatClient : IChatClient
{
    private readonly ChatTokenizer _tokenizer;
    private readonly LrnnChatClientOptions _options;
    private readonly bool _ownsModel;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>A client over <paramref name="model"/>, which it disposes only when <paramref name="ownsModel"/>.</summary>
    public LrnnChatClient(LrnnLMHeadModel model, ChatTokenizer tokenizer, LrnnChatClientOptions? options = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Model = model;
        _tokenizer = tokenizer;
        _options = options ?? new LrnnChatClientOptions();
        _options.Defaults.Validate();
        _ownsModel = ownsModel;
        Metadata = new ChatClientMetadata("lrnn", defaultModelId: _options.ModelId);
    }

    /// <summary>A client over one of Lrnn's tokenizers.</summary>
    public LrnnChatClient(LrnnLMHeadModel model, LrnnTokenizer tokenizer, LrnnChatClientOptions? options = null, bool ownsModel = false)
        : this(model, ChatTokenizer.From(tokenizer), options, ownsModel)
    {
    }

    /// <summary>Loads a checkpoint (config.json, weights, tokenizer.json) into a client that owns the model.</summary>
    public static LrnnChatClient FromPretrained(string directory, Device? device = null, LrnnChatClientOptions? options = null)
    {
        var tokenizer = LrnnTokenizer.FromPretrained(directory);
        var model = LrnnLMHeadModel.FromPretrained(directory, device);
        return new LrnnChatClient(model, tokenizer, options, ownsModel: true);
    }

    public LrnnLMHeadModel Model { get; }

    public ChatClientMetadata Metadata { get; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var generation = ChatGenerationOptions.From(options, _options.Defaults, _tokenizer.EndTokens);
        var stops = new StreamingStopMatcher([.. _options.StopSequences, .. options?.StopSequences ?? []]);
        var promptText = _options.PromptTemplate(messages as IReadOnlyList<ChatMessage> ?? messages.ToList(), options?.Instructions);
        var encoded = _tokenizer.Encode(promptText);
        long[] prompt = _options.PrependBos || encoded.Length == 0 ? [_tokenizer.BosId, .. encoded] : encoded;

        var responseId = Guid.NewGuid().ToString("N");
        var modelId = options?.ModelId ?? _options.ModelId;
        ChatResponseUpdate Update(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
        {
            ResponseId = responseId, MessageId = responseId, ModelId = modelId, CreatedAt = DateTimeOffset.UtcNow,
        };

        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var generated = new List<long>();
            var finish = ChatFinishReason.Length;
            await foreach (var token in Model.GenerateAsync([prompt], generation, cancellationToken).ConfigureAwait(false))
            {
                generated.Add(token.Token);
                var (piece, stopped) = stops.Push(_tokenizer.Decode(generated));
                if (piece.Length > 0) yield return Update([new TextContent(piece)]);
                if (stopped)
                {
                    finish = ChatFinishReason.Stop;
                    break;                                   // leaving the loop stops the generation thread
                }
            }
            var outputTokens = generated.Count;
            if (finish != ChatFinishReason.Stop)
            {
                // GenerateAsync leaves out the end token: fewer tokens than the limit means one ended the reply.
                if (outputTokens < generation.MaxNewTokens)
                {
                    finish = ChatFinishReason.Stop;
                    outputTokens++;
                }
                var (rest, _) = stops.Push(_tokenizer.Decode(generated), final: true);
                if (rest.Length > 0) yield return Update([new TextContent(rest)]);
            }
            var last = Update([new UsageContent(new UsageDetails
            {
                InputTokenCount = prompt.Length,
                OutputTokenCount = outputTokens,
                TotalTokenCount = prompt.Length + outputTokens,
            })]);
            last.FinishReason = finish;
            yield return last;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>The client itself, its <see cref="ChatClientMetadata"/>, or the <see cref="LrnnLMHeadModel"/> it runs.</summary>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return Metadata;
        if (serviceType.IsInstanceOfType(Model)) return Model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
        _oneAtATime.Dispose();
    }
}
