using Lrnn.Extensions.AI;
using Lrnn.Torch;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers an <see cref="LrnnChatClient"/> as the <see cref="IChatClient"/> of a service collection.</summary>
public static class LrnnChatClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="IChatClient"/> that loads the checkpoint in <paramref name="checkpointDirectory"/>
    /// when first resolved (and disposes the model with the container). Returns the builder, for middleware:
    /// <c>services.AddLrnnChatClient("checkpoints/kjv").UseLogging().UseOpenTelemetry()</c>.
    /// </summary>
    public static ChatClientBuilder AddLrnnChatClient(this IServiceCollection services, string checkpointDirectory,
        Device? device = null, LrnnChatClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointDirectory);
        return services.AddLrnnChatClient(_ => LrnnChatClient.FromPretrained(checkpointDirectory, device, options));
    }

    /// <summary>Registers a singleton <see cref="IChatClient"/> made by <paramref name="factory"/>; returns the builder, for middleware.</summary>
    public static ChatClientBuilder AddLrnnChatClient(this IServiceCollection services, Func<IServiceProvider, LrnnChatClient> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        return services.AddChatClient(factory, ServiceLifetime.Singleton);
    }
}
