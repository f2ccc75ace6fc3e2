using System.Text;
using Microsoft.Extensions.AI;

namespace Attend.Inference;

/// <summary>
/// The plain chat template that maps messages to a prompt for a model trained on plain text: each message becomes a
/// line "role: text" (role in lower case: system, user, assistant, ...), and the prompt ends with "assistant:", which
/// the model continues. The reply ends at the end-of-sequence token, at the token limit, or where the model begins
/// another turn: "\nuser:" and "\nsystem:" are stop sequences.
/// </summary>
public static class ChatTemplate
{
    /// <summary>The stop sequences the template adds to the caller's.</summary>
    public static IReadOnlyList<string> StopSequences { get; } = ["\nuser:", "\nsystem:"];

    /// <summary>The prompt for <paramref name="messages"/>.</summary>
    public static string Render(IEnumerable<ChatMessage> messages)
    {
        var prompt = new StringBuilder();
        foreach (ChatMessage m in messages)
            prompt.Append(m.Role.Value.ToLowerInvariant()).Append(": ").Append(m.Text).Append('\n');
        return prompt.Append("assistant:").ToString();
    }
}
