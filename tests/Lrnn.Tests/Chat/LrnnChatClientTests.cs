using Lrnn.Extensions.AI;
using Lrnn.Generation;
using Lrnn.Models;
using Microsoft.Extensions.AI;
using Xunit;
using static Lrnn.Tests.Chat.ChatTestData;
using static Lrnn.Tests.Training.TrainingTestData;

namespace Lrnn.Tests.Chat;

public sealed class LrnnChatClientTests
{
    private const string Prompt = "And God said";

    private static readonly LrnnChatClientOptions ClientOptions = new()
    {
        Defaults = new GenerationOptions { MaxNewTokens = 24, Temperature = 1.2, Seed = 5 },
    };

    /// <summary>What the generation API itself produces for the prompt with the client's mapping of <paramref name="options"/>.</summary>
    private static long[] Reference(LrnnLMHeadModel model, ChatOptions? options) =>
        model.Generate([Tokenizer.Encode(Prompt)], ChatGenerationOptions.From(options, ClientOptions.Defaults, [Tokenizer.EosId]))[0];

    [Fact]
    public async Task StreamingYieldsEachTokensTextInOrderThenUsage()
    {
        using var model = TinyModel();
        using var client = new LrnnChatClient(model, LetterTokenizer, ClientOptions);
        var expected = Reference(model, null);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Prompt)) updates.Add(update);

        // One update per token (each decodes to one letter), in generation order, then the usage with the finish reason.
        var texts = updates.Where(u => u.Text.Length > 0).Select(u => u.Text).ToArray();
        Assert.Equal(expected.Select(id => Letters([id])), texts);
        var usage = Assert.Single(updates[^1].Contents.OfType<UsageContent>()).Details;
        Assert.Equal(Prompt.Length, usage.InputTokenCount);
        Assert.Equal(24, usage.OutputTokenCount);
        Assert.Equal(Prompt.Length + 24, usage.TotalTokenCount);
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
        Assert.All(updates, u => Assert.Equal(ChatRole.Assistant, u.Role));
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());

        // The non-streaming call is the same reply.
        var response = await client.GetResponseAsync(Prompt);
        Assert.Equal(Letters(expected), response.Text);
        Assert.Equal(24, response.Usage?.OutputTokenCount);
        Assert.Equal("lrnn", response.ModelId);
    }

    [Fact]
    public async Task AStopStringEndsTheReplyBeforeIt()
    {
        using var model = TinyModel();
        using var client = new LrnnChatClient(model, LetterTokenizer, ClientOptions);
        var free = (await client.GetResponseAsync(Prompt)).Text;
        var stop = free.Substring(9, 3);
        var at = free.IndexOf(stop, StringComparison.Ordinal);

        var pieces = new List<string>();
        ChatFinishReason? finish = null;
        long? outputTokens = null;
        await foreach (var update in client.GetStreamingResponseAsync(Prompt, new ChatOptions { StopSequences = [stop] }))
        {
            pieces.Add(update.Text);
            finish ??= update.FinishReason;
            outputTokens ??= update.Contents.OfType<UsageContent>().SingleOrDefault()?.Details.OutputTokenCount;
        }
        Assert.Equal(free[..at], string.Concat(pieces));
        Assert.Equal(ChatFinishReason.Stop, finish);
        // Generation stopped at the token that completed the stop string.
        Assert.Equal(at + stop.Length, outputTokens);
    }

    [Fact]
    public async Task MaxOutputTokensCapsTheReply()
    {
        using var model = TinyModel();
        using var client = new LrnnChatClient(model, LetterTokenizer, ClientOptions);
        var response = await client.GetResponseAsync(Prompt, new ChatOptions { MaxOutputTokens = 5 });
        Assert.Equal(5, response.Text.Length);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(Letters(Reference(model, new ChatOptions { MaxOutputTokens = 5 })), response.Text);
    }

    [Fact]
    public async Task ASeedRepeatsAndAnotherSeedDiffers()
    {
        using var model = TinyModel();
        using var client = new LrnnChatClient(model, LetterTokenizer, ClientOptions);
        var options = new ChatOptions { Seed = 11, Temperature = 1.5f };
        var first = (await client.GetResponseAsync(Prompt, options)).Text;
        Assert.Equal(first, (await client.GetResponseAsync(Prompt, options)).Text);
        Assert.NotEqual(first, (await client.GetResponseAsync(Prompt, new ChatOptions { Seed = 12, Temperature = 1.5f })).Text);
        Assert.Equal(Letters(Reference(model, options)), first);
    }

    [Fact]
    public async Task SamplingOptionsReachTheSampler()
    {
        using var model = TinyModel();
        using var client = new LrnnChatClient(model, LetterTokenizer, ClientOptions);
        foreach (var options in new[]
                 {
                     new ChatOptions { Temperature = 0 },
                     new ChatOptions { TopK = 3, TopP = 0.9f, Seed = 2 },
                     new ChatOptions { FrequencyPenalty = 1.5f, PresencePenalty = 0.5f, Seed = 2 },
                 })
            Assert.Equal(Letters(Reference(model, options)), (await client.GetResponseAsync(Prompt, options)).Text);

        // The penalties change the reply of an otherwise identical request (a random model repeats letters often).
        var plain = (await client.GetResponseAsync(Prompt, new ChatOptions { Temperature = 0 })).Text;
        var penalised = (await client.GetResponseAsync(Prompt, new ChatOptions { Temperature = 0, PresencePenalty = 5 })).Text;
        Assert.NotEqual(plain, penalised);
    }

    [Fact]
    public void ChatOptionsMapOntoGenerationOptions()
    {
        var defaults = new GenerationOptions { MaxNewTokens = 9, Temperature = 0.7, TopK = 4, TopP = 0.5, Seed = 3, RepetitionPenalty = 1.1, StopTokens = [7] };
        Assert.Equal(defaults with { StopTokens = [7, 257] }, ChatGenerationOptions.From(null, defaults, [257]), GenerationOptionsComparer.Instance);
        var mapped = ChatGenerationOptions.From(new ChatOptions
        {
            MaxOutputTokens = 3, Temperature = 0.25f, TopK = 2, TopP = 0.75f, Seed = 1L << 40 | 5, FrequencyPenalty = 0.5f, PresencePenalty = -0.25f,
        }, defaults, [257]);
        Assert.Equal(defaults with
        {
            MaxNewTokens = 3, Temperature = 0.25, TopK = 2, TopP = 0.75, Seed = 5 ^ 256, FrequencyPenalty = 0.5, PresencePenalty = -0.25, StopTokens = [7, 257],
        }, mapped, GenerationOptionsComparer.Instance);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => ChatGenerationOptions.From(new ChatOptions { TopP = 1.5f }, defaults, []));
        Assert.Equal("TopP", bad.ParamName);
    }

    [Fact]
    public async Task TheTemplateHookBuildsThePrompt()
    {
        using var model = TinyModel();
        string? seen = null;
        var options = ClientOptions with
        {
            PromptTemplate = (messages, instructions) => seen = ChatPromptTemplates.RolePrefixed(messages, instructions),
            PrependBos = true,
        };
        using var client = new LrnnChatClient(model, LetterTokenizer, options);
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi"), new ChatMessage(ChatRole.Assistant, "Hello"),
            new ChatMessage(ChatRole.User, "Who?")], new ChatOptions { Instructions = "Be brief." });
        Assert.Equal("System: Be brief.\nUser: Hi\nAssistant: Hello\nUser: Who?\nAssistant:", seen);
        Assert.Equal(1 + seen!.Length, response.Usage?.InputTokenCount);              // BOS + one byte per character
        Assert.Equal("In the\nbeginning", ChatPromptTemplates.Continuation([new ChatMessage(ChatRole.User, "In the"),
            new ChatMessage(ChatRole.Assistant, "beginning")], null));
    }

    [Fact]
    public async Task CancellingStopsTheStreamBeforeTheNextToken()
    {
        using var model = TinyModel();
        using var client = new LrnnChatClient(model, LetterTokenizer, ClientOptions with { Defaults = ClientOptions.Defaults with { MaxNewTokens = 1000 } });
        using var cancel = new CancellationTokenSource();
        var received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Prompt, cancellationToken: cancel.Token))
            {
                received++;
                if (received == 2) await cancel.CancelAsync();
            }
        });
        Assert.Equal(2, received);

        // A cancelled non-streaming call decodes no token after the cancellation; the client is then free again.
        var decoded = 0;
        using var cancel2 = new CancellationTokenSource();
        var counting = LetterTokenizer with
        {
            Decode = ids =>
            {
                if (++decoded == 3) cancel2.Cancel();
                return Letters(ids);
            },
        };
        using var client2 = new LrnnChatClient(model, counting, ClientOptions with { Defaults = ClientOptions.Defaults with { MaxNewTokens = 1000 } });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client2.GetResponseAsync(Prompt, cancellationToken: cancel2.Token));
        Assert.Equal(3, decoded);
        Assert.Equal(24, (await client.GetResponseAsync(Prompt, new ChatOptions { MaxOutputTokens = 24 })).Usage?.OutputTokenCount);
    }

    [Fact]
    public void GetServiceReturnsTheModelAndTheMetadata()
    {
        using var model = TinyModel();
        using var client = new LrnnChatClient(model, LetterTokenizer, ClientOptions with { ModelId = "kjv" });
        Assert.Same(model, client.GetService<LrnnLMHeadModel>());
        Assert.Same(client, client.GetService<LrnnChatClient>());
        Assert.Equal("kjv", client.GetService<ChatClientMetadata>()?.DefaultModelId);
        Assert.Null(client.GetService<LrnnLMHeadModel>(serviceKey: "other"));
        Assert.Null(client.GetService<string>());
    }

    /// <summary>GenerationOptions equality with the stop tokens compared as sets (a record compares the collection by reference).</summary>
    private sealed class GenerationOptionsComparer : IEqualityComparer<GenerationOptions>
    {
        public static readonly GenerationOptionsComparer Instance = new();

        public bool Equals(GenerationOptions? x, GenerationOptions? y) =>
            x is not null && y is not null && x.StopTokens.Order().SequenceEqual(y.StopTokens.Order()) &&
            x with { StopTokens = [] } is var a && y with { StopTokens = [] } is var b &&
            (a.MaxNewTokens, a.Temperature, a.TopK, a.TopP, a.RepetitionPenalty, a.FrequencyPenalty, a.PresencePenalty, a.Seed) ==
            (b.MaxNewTokens, b.Temperature, b.TopK, b.TopP, b.RepetitionPenalty, b.FrequencyPenalty, b.PresencePenalty, b.Seed);

        public int GetHashCode(GenerationOptions obj) => obj.MaxNewTokens;
    }
}
