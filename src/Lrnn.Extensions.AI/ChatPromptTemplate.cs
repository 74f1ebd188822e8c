using System.Text;
using Microsoft.Extensions.AI;

namespace Lrnn.Extensions.AI;

/// <summary>Turns a conversation (and the request's <see cref="ChatOptions.Instructions"/>) into the prompt text.</summary>
public delegate string ChatPromptTemplate(IReadOnlyList<ChatMessage> messages, string? instructions);

/// <summary>The built-in templates. A model fine-tuned with its own chat format supplies its own delegate.</summary>
public static class ChatPromptTemplates
{
    /// <summary>
    /// For base (pretrained, not instruction-tuned) models: the texts of the instructions and of every message, joined
    /// by a newline, whatever their roles. The model continues the text, so a single user message is a plain prompt.
    /// </summary>
    public static readonly ChatPromptTemplate Continuation = (messages, instructions) =>
        string.Join("\n", Texts(messages, instructions).Select(t => t.Text));

    /// <summary>
    /// "System: …", "User: …", "Assistant: …" lines, ending in "Assistant:" for the reply: a format a base model can
    /// follow from a few examples. Pair it with the stop string <see cref="RolePrefixedStop"/> so the reply ends
    /// where the model starts the next user turn.
    /// </summary>
    public static readonly ChatPromptTemplate RolePrefixed = (messages, instructions) =>
    {
        var prompt = new StringBuilder();
        foreach (var (role, text) in Texts(messages, instructions))
            prompt.Append(Label(role)).Append(": ").Append(text).Append('\n');
        return prompt.Append(Label(ChatRole.Assistant)).Append(':').ToString();
    };

    /// <summary>The stop string that ends a <see cref="RolePrefixed"/> reply.</summary>
    public const string RolePrefixedStop = "\nUser:";

    private static IEnumerable<(ChatRole Role, string Text)> Texts(IReadOnlyList<ChatMessage> messages, string? instructions)
    {
        if (!string.IsNullOrEmpty(instructions)) yield return (ChatRole.System, instructions);
        foreach (var message in messages) yield return (message.Role, message.Text);
    }

    private static string Label(ChatRole role) =>
        role == ChatRole.System ? "System" : role == ChatRole.Assistant ? "Assistant" : role == ChatRole.Tool ? "Tool" : "User";
}
