using System.Runtime.CompilerServices;
using Attend.Decoding;
using Attend.Models;
using Attend.Tokenization;
using Microsoft.Extensions.AI;

namespace Attend.Inference;

/// <summary>
/// <see cref="IChatClient"/> over a decoder-only model: the messages become a prompt through <see cref="ChatTemplate"/>,
/// and the reply is sampled by a <see cref="TextGenerator"/>, so concurrent calls share its continuous batch. Honours
/// <see cref="ChatOptions"/>' Temperature (default 1), TopP, TopK, Seed (random when absent), MaxOutputTokens (default:
/// the rest of the context) and StopSequences; AdditionalProperties["truncate"] = true keeps the end of a prompt longer
/// than max_len instead of failing.
/// </summary>
public sealed class AttendChatClient : IChatClient
{
    private readonly TextGenerator _generator;
    private readonly bool _ownsGenerator;

    /// <summary>A client over a generator that the caller owns (and may share with other clients).</summary>
    public AttendChatClient(TextGenerator generator, Tokenizer tokenizer, string modelId)
        : this(generator, tokenizer, modelId, ownsGenerator: false)
    {
    }

    private AttendChatClient(TextGenerator generator, Tokenizer tokenizer, string modelId, bool ownsGenerator)
    {
        (_generator, Tokenizer, _ownsGenerator) = (generator, tokenizer, ownsGenerator);
        Metadata = new ChatClientMetadata("attend", null, modelId);
    }

    /// <summary>A client with a generator of its own over <paramref name="model"/>, disposed with the client.</summary>
    public static AttendChatClient Create(DecoderOnlyTransformer model, Tokenizer tokenizer, string modelId, BatchingOptions? options = null) =>
        new(new TextGenerator(model, options), tokenizer, modelId, ownsGenerator: true);

    /// <summary>The provider ("attend") and the model's id.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <summary>The tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var text = new System.Text.StringBuilder();
        ChatResponseUpdate? last = null;
        UsageDetails? usage = null;
        await foreach (ChatResponseUpdate update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            text.Append(update.Text);
            usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
            last = update;
        }
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text.ToString()))
        {
            ResponseId = last?.ResponseId,
            ModelId = Metadata.DefaultModelId,
            CreatedAt = last?.CreatedAt,
            FinishReason = last?.FinishReason,
            Usage = usage,
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ModelConfig config = _generator.Model.Config;
        int[] prompt = ModelInput.Encode(Tokenizer, ChatTemplate.Render(messages), config.MaxLen,
            ModelInput.AsksToTruncate(options?.AdditionalProperties), keepEnd: true);
        int maxNew = options?.MaxOutputTokens ?? Math.Max(1, config.MaxLen - prompt.Length);
        if (maxNew < 1)
            throw new ArgumentException($"MaxOutputTokens must be at least 1, not {maxNew}");
        var sampling = new SamplingOptions
        {
            Temperature = options?.Temperature ?? 1f,
            TopP = options?.TopP ?? 1f,
            TopK = options?.TopK ?? 0,
            Seed = options?.Seed is long seed ? unchecked((ulong)seed) : (ulong)Random.Shared.NextInt64(),
        };
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        DateTimeOffset created = DateTimeOffset.UtcNow;
        await foreach (TextPiece piece in TextPieces.StreamAsync(_generator, Tokenizer, prompt, maxNew, sampling,
                           [.. options?.StopSequences ?? [], .. ChatTemplate.StopSequences], cancellationToken).ConfigureAwait(false))
        {
            var update = new ChatResponseUpdate(ChatRole.Assistant, piece.Text)
            {
                ResponseId = id,
                MessageId = id,
                ModelId = Metadata.DefaultModelId,
                CreatedAt = created,
            };
            if (piece.Finish is FinishReason finish)
            {
                update.FinishReason = finish == FinishReason.Stop ? ChatFinishReason.Stop : ChatFinishReason.Length;
                update.Contents.Add(new UsageContent(new UsageDetails
                {
                    InputTokenCount = prompt.Length,
                    OutputTokenCount = piece.Tokens,
                    TotalTokenCount = prompt.Length + piece.Tokens,
                }));
            }
            yield return update;
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType == typeof(TextGenerator) ? _generator
        : null;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsGenerator)
            _generator.Dispose();
    }
}
