using System.Diagnostics;
using Lrnn.Extensions.AI;
using Lrnn.Generation;
using Lrnn.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;
using static Lrnn.Tests.Chat.ChatTestData;

namespace Lrnn.Tests.Chat;

/// <summary>LrnnChatClient inside Microsoft.Extensions.AI's pipeline: logging, OpenTelemetry and dependency injection.</summary>
public sealed class ChatMiddlewareTests
{
    private static readonly LrnnChatClientOptions ClientOptions = new() { ModelId = "tiny", Defaults = new GenerationOptions { MaxNewTokens = 7, Seed = 1 } };

    [Fact]
    public async Task LoggingAndOpenTelemetryWrapTheClient()
    {
        const string source = "Lrnn.Tests.Chat";
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var logs = new CollectingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));

        using var model = TinyModel();
        using var client = new LrnnChatClient(model, LetterTokenizer, ClientOptions)
            .AsBuilder()
            .UseLogging(loggerFactory)
            .UseOpenTelemetry(sourceName: source)
            .Build();
        var response = await client.GetResponseAsync("In the", new ChatOptions { MaxOutputTokens = 5 });
        var streamed = "";
        await foreach (var update in client.GetStreamingResponseAsync("In the", new ChatOptions { MaxOutputTokens = 5 })) streamed += update.Text;

        Assert.Equal(5, response.Text.Length);
        Assert.Equal(response.Text, streamed);
        // OpenTelemetry's GenAI spans carry the model id and the client's usage counts.
        Assert.Equal(2, activities.Count);
        foreach (var activity in activities)
        {
            Assert.Equal("tiny", activity.GetTagItem("gen_ai.request.model"));
            Assert.Equal(6, Convert.ToInt32(activity.GetTagItem("gen_ai.usage.input_tokens")));
            Assert.Equal(5, Convert.ToInt32(activity.GetTagItem("gen_ai.usage.output_tokens")));
            Assert.Equal(5, Convert.ToInt32(activity.GetTagItem("gen_ai.request.max_tokens")));
        }
        // The logging middleware saw both calls complete, with the reply in its trace-level record.
        Assert.Contains(logs.Messages, m => m.Contains("GetResponseAsync completed", StringComparison.Ordinal) && m.Contains(response.Text, StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.Contains("GetStreamingResponseAsync completed", StringComparison.Ordinal));
        // The pipeline still reaches the model.
        Assert.Same(model, client.GetService<LrnnLMHeadModel>());
    }

    [Fact]
    public async Task AddLrnnChatClientRegistersAPipelineThatOwnsTheModel()
    {
        var model = TinyModel();
        var weight = model.parameters().First();
        var logs = new CollectingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddLrnnChatClient(_ => new LrnnChatClient(model, LetterTokenizer, ClientOptions, ownsModel: true)).UseLogging();
        await using (var provider = services.BuildServiceProvider())
        {
            var client = provider.GetRequiredService<IChatClient>();
            Assert.Same(client, provider.GetRequiredService<IChatClient>());
            Assert.Equal(7, (await client.GetResponseAsync("Let")).Usage?.OutputTokenCount);
            Assert.Contains(logs.Messages, m => m.Contains("GetResponseAsync", StringComparison.Ordinal));
        }
        // Disposing the container disposed the client, and the client its model.
        Assert.Throws<ObjectDisposedException>(() => _ = weight.numel());
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider, ILogger
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get { lock (_messages) return _messages.ToList(); }
        }

        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_messages) _messages.Add(formatter(state, exception));
        }

        public void Dispose()
        {
        }
    }
}
