using Attend.IO;
using Attend.Models;
using Attend.Tokenization;

namespace Attend.Server.Tests;

/// <summary>
/// Checkpoint folders of the three model families, small and freshly initialised (the server's behaviour, not the
/// models' quality, is under test): "enc" an encoder classifier (max_len 32, labels a/b/c), "lm" a decoder-only model
/// (max_len 512, so a generation can run long enough to be interrupted), "mt" an encoder-decoder (max_len 32).
/// Written once per test run into a temporary folder.
/// </summary>
internal static class TestModels
{
    private static readonly Lazy<string> Folder = new(Create);

    public static string Root => Folder.Value;

    public static string Enc => Path.Combine(Root, "enc");

    public static string Lm => Path.Combine(Root, "lm");

    public static string Mt => Path.Combine(Root, "mt");

    public static IReadOnlyList<(string, string)> All => [("enc", Enc), ("lm", Lm), ("mt", Mt)];

    private static string Create()
    {
        string root = Path.Combine(Path.GetTempPath(), "attend-serve-tests-" + Environment.ProcessId);
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
        Tokenizer tokenizer = Tokenizer.Train(
            ["the quick brown fox jumps over the lazy dog", "ein hund läuft im schnee", "a dog runs in the snow", "good great fine bad awful poor"],
            new BpeTrainerOptions { VocabularySize = 280, MinFrequency = 1, MaxDegreeOfParallelism = 1 });
        int vocab = tokenizer.VocabularySize;
        var common = new ModelConfig { DModel = 32, Heads = 2, DFF = 64, SrcVocabSize = vocab, TgtVocabSize = vocab, Dropout = 0f };
        Checkpoint.Save(Path.Combine(root, "enc"), EncoderClassifier.Create(common with
        {
            ModelType = "encoder_classifier", EncoderLayers = 2, MaxLen = 32, NumClasses = 3,
        }, 7), tokenizer, dir => File.WriteAllText(Path.Combine(dir, "labels.txt"), "a\nb\nc\n"));
        Checkpoint.Save(Path.Combine(root, "lm"), DecoderOnlyTransformer.Create(common with
        {
            ModelType = "decoder_only", DecoderLayers = 2, MaxLen = 512, Positional = "learned", NormFirst = true, Activation = "gelu",
        }, 8), tokenizer);
        Checkpoint.Save(Path.Combine(root, "mt"), Seq2SeqTransformer.Create(common with
        {
            ModelType = "seq2seq", EncoderLayers = 2, DecoderLayers = 2, MaxLen = 32,
        }, 9), tokenizer);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        };
        return root;
    }
}
