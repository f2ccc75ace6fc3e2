using Attend.Decoding;
using Attend.Models;
using Attend.Tensors;
using Attend.Tokenization;
using Microsoft.Extensions.AI;

namespace Attend.Inference;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over a sentence encoder: each text's embedding is what the
/// model's <see cref="ISentenceEncoder.Embed"/> gives (for <see cref="EncoderClassifier"/>, the mean of the encoder's outputs
/// over its tokens), d_model floats. Texts from concurrent calls
/// are gathered by a <see cref="DynamicBatcher{TItem, TResult}"/> and embedded in one padded batch.
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>["truncate"] = true cuts a text longer than max_len
/// instead of failing.
/// </summary>
public sealed class AttendEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ISentenceEncoder _model;
    private readonly object _modelLock;

    /// <summary>
    /// A generator with its own batching thread. <paramref name="modelLock"/>, when given, is held during every pass of
    /// the model, so other users of the same model object never run at the same time.
    /// </summary>
    public AttendEmbeddingGenerator(ISentenceEncoder model, Tokenizer tokenizer, string modelId, BatchingOptions? options = null, object? modelLock = null)
    {
        (_model, Tokenizer, _modelLock) = (model, tokenizer, modelLock ?? new object());
        Metadata = new EmbeddingGeneratorMetadata("attend", null, modelId, model.Config.DModel);
        Batcher = new DynamicBatcher<int[], float[]>(Embed, options ?? new BatchingOptions(), "embed-" + modelId, ids => ids.Length);
    }

    /// <summary>The provider ("attend"), the model's id and the embedding's dimension (d_model).</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>The tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The batcher, for its queue length and batch sizes.</summary>
    public DynamicBatcher<int[], float[]> Batcher { get; }

    /// <inheritdoc/>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is int d && d != _model.Config.DModel)
            throw new ArgumentException($"the model's embeddings have {_model.Config.DModel} dimensions, not {d}");
        bool truncate = ModelInput.AsksToTruncate(options?.AdditionalProperties);
        List<int[]> ids = values.Select(v => ModelInput.Encode(Tokenizer, v, _model.Config.MaxLen, truncate)).ToList();
        float[][] vectors = ids.Count == 0 ? [] : await Batcher.SubmitAsync(ids, cancellationToken).ConfigureAwait(false);
        DateTimeOffset created = DateTimeOffset.UtcNow;
        int tokens = ids.Sum(i => i.Length);
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = Metadata.DefaultModelId, CreatedAt = created }))
        {
            Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
        };
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <inheritdoc/>
    public void Dispose() => Batcher.Dispose();

    // One padded batch through the encoder; row i of the pooled output is text i's embedding.
    private float[][] Embed(IReadOnlyList<int[]> texts)
    {
        lock (_modelLock)
        {
            bool training = _model.Dropout.Training;
            _model.Dropout.Training = false;
            try
            {
                using var noGrad = Autograd.NoGrad();
                using Workspace.Scope scope = Workspace.Begin();
                SourceBatch batch = SourceBatch.Pad(texts, _model.Config.PadId);
                Tensor pooled = _model.Embed(batch.Ids, batch.Batch, batch.Length, batch.Padding);   // [B, dModel]
                int d = _model.Config.DModel;
                return Enumerable.Range(0, texts.Count).Select(i => pooled.Data.Slice(i * d, d).ToArray()).ToArray();
            }
            finally
            {
                _model.Dropout.Training = training;
            }
        }
    }
}
