using Attend.Inference;
using Attend.IO;
using Attend.Models;
using Attend.Tokenization;
using Microsoft.Extensions.AI;

namespace Attend.Server;

/// <summary>
/// One loaded model with what serves it: an encoder gets an embedding generator and a classifier batcher, a
/// decoder-only model a text generator and a chat client, an encoder-decoder a translation batcher. Every pass over the
/// model object holds <see cref="Lock"/>, so batches and attention views never run on it at the same time.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    private ServedModel(string name, string directory, ITransformerModel model, Tokenizer tokenizer, BatchingOptions batching)
    {
        (Name, Directory, Model, Tokenizer) = (name, directory, model, tokenizer);
        Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        switch (model)
        {
            case ISentenceEncoder encoder:
                Embeddings = new AttendEmbeddingGenerator(encoder, tokenizer, name, batching, Lock);
                if (encoder is EncoderClassifier classifier)
                {
                    Labels = ReadLabels(directory, classifier.Config.NumClasses);
                    Classifier = new DynamicBatcher<int[], float[]>(ids => Classification.Run(classifier, ids, Lock), batching, "classify-" + name, ids => ids.Length);
                }
                break;
            case DecoderOnlyTransformer lm:
                Generator = new TextGenerator(lm, batching, Lock);
                Chat = new AttendChatClient(Generator, tokenizer, name);
                break;
            case Seq2SeqTransformer s2s:
                Translator = new DynamicBatcher<TranslationJob, int[]>(jobs => Translation.Run(s2s, jobs, Lock), batching, "translate-" + name,
                    job => job.Source.Length);
                break;
            default:
                throw new InvalidDataException($"{directory}: attend serve cannot serve a {model.Config.ModelType} model ({model.GetType().Name})");
        }
    }

    /// <summary>Loads the folder through the library's loader.</summary>
    public static ServedModel Load(string name, string directory, BatchingOptions batching)
    {
        ITransformerModel model = Checkpoint.LoadModel(directory);
        Tokenizer tokenizer = Checkpoint.LoadTokenizer(directory, model.Config);
        return new ServedModel(name, directory, model, tokenizer, batching);
    }

    public string Name { get; }

    public string Directory { get; }

    public ITransformerModel Model { get; }

    public Tokenizer Tokenizer { get; }

    public object Lock { get; } = new();

    public long Created { get; }

    /// <summary>"embeddings" (encoder), "generation" (decoder-only) or "translation" (encoder-decoder).</summary>
    public string Task => Model switch
    {
        ISentenceEncoder => "embeddings",
        DecoderOnlyTransformer => "generation",
        _ => "translation",
    };

    public IReadOnlyList<string> Endpoints => Model switch
    {
        EncoderClassifier => ["/v1/embeddings", "/v1/classifications"],
        ISentenceEncoder => ["/v1/embeddings"],
        DecoderOnlyTransformer => ["/v1/completions", "/v1/chat/completions"],
        _ => ["/v1/translations"],
    };

    public AttendEmbeddingGenerator? Embeddings { get; }

    public DynamicBatcher<int[], float[]>? Classifier { get; }

    public IReadOnlyList<string> Labels { get; } = [];

    public TextGenerator? Generator { get; }

    public IChatClient? Chat { get; }

    public DynamicBatcher<TranslationJob, int[]>? Translator { get; }

    /// <summary>Requests waiting for a batch, over every batcher of the model.</summary>
    public int QueueLength => (Embeddings?.Batcher.QueueLength ?? 0) + (Classifier?.QueueLength ?? 0)
        + (Generator?.QueueLength ?? 0) + (Translator?.QueueLength ?? 0);

    /// <summary>Lets the queued and running work finish, then stops the batching threads.</summary>
    public void Dispose()
    {
        Embeddings?.Dispose();
        Classifier?.Dispose();
        Chat?.Dispose();
        Generator?.Dispose();
        Translator?.Dispose();
    }

    // labels.txt names the classes one a line (as attend train writes it); without it the classes are LABEL_0, LABEL_1, ...
    private static List<string> ReadLabels(string directory, int classes)
    {
        string path = Path.Combine(directory, "labels.txt");
        if (!File.Exists(path))
            return Enumerable.Range(0, classes).Select(i => $"LABEL_{i}").ToList();
        var labels = File.ReadAllLines(path).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (labels.Count != classes)
            throw new InvalidDataException($"{path}: {labels.Count} labels for a model of {classes} classes");
        return labels;
    }
}
