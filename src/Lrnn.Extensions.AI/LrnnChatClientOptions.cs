using Lrnn.Generation;

namespace Lrnn.Extensions.AI;

/// <summary>How an <see cref="LrnnChatClient"/> builds prompts and which sampling it uses where a request's ChatOptions say nothing.</summary>
public sealed record LrnnChatClientOptions
{
    /// <summary>Reported as the model id of responses and of <see cref="Microsoft.Extensions.AI.ChatClientMetadata"/>.</summary>
    public string ModelId { get; init; } = "lrnn";

    /// <summary>Builds the prompt text from the messages; <see cref="ChatPromptTemplates.Continuation"/> suits a base model.</summary>
    public ChatPromptTemplate PromptTemplate { get; init; } = ChatPromptTemplates.Continuation;

    /// <summary>Start every prompt with BOS (as a new document). An empty prompt always becomes BOS.</summary>
    public bool PrependBos { get; init; }

    /// <summary>
    /// The sampling used where a request's ChatOptions leave a field null (Temperature, TopP, TopK, MaxOutputTokens,
    /// Seed, penalties); its repetition penalty and stop tokens always apply (the tokenizer's end tokens are added).
    /// </summary>
    public GenerationOptions Defaults { get; init; } = new() { MaxNewTokens = 256 };

    /// <summary>Stop strings applied to every request, besides the request's own <c>StopSequences</c>.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];
}
