using System.Globalization;
using Attend.IO;
using Attend.Models;
using Attend.Tests.Cli;
using Attend.Tests.Tokenization;
using Attend.Tokenization;

namespace Attend.Tests.Pretrained;

/// <summary>
/// The verbs on pretrained folders: <c>attend import onnx</c> then <c>attend embed</c> on all-MiniLM-L6-v2 (the
/// quick start's cosines from the printed floats), <c>attend generate</c> on a GPT-2 folder with vocab.json and
/// merges.txt, <c>attend train --task classify --init</c> from a BERT folder, then <c>attend classify</c>.
/// </summary>
[Collection(MiniLmCollection.Name)]
public class PretrainedCliTests(MiniLmFixture minilm)
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf");

    [Fact]
    public void ImportThenEmbed_PrintsUnitVectorsWithTheQuickStartCosines()
    {
        using var dir = new TempDirectory();
        string folder = Path.Combine(dir, "minilm");
        var (code, output, err) = CliRunner.Run("", "import", "onnx", "--input", minilm.OnnxPath, "--vocab", minilm.VocabPath, "--out", folder);
        Assert.True(code == 0, err);
        Assert.Contains("bert, 6 layers, hidden 384, 12 heads", output);
        (code, output, err) = CliRunner.Run("The weather is lovely today.\nIt's so sunny outside!\nHe drove to the stadium.\n", "embed", "--model", folder, "--threads", "1");
        Assert.True(code == 0, err);
        double[][] e = output.TrimEnd('\n').Split('\n').Select(l => l.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.Equal(3, e.Length);
        Assert.All(e, v => Assert.Equal(384, v.Length));
        double Cosine(int i, int j) => e[i].Zip(e[j], (a, b) => a * b).Sum();
        Assert.Equal((1.0, 0.6660, 0.1046, 0.1411), (Math.Round(Cosine(0, 0), 4), Math.Round(Cosine(0, 1), 4), Math.Round(Cosine(0, 2), 4), Math.Round(Cosine(1, 2), 4)));
    }

    [Fact]
    public void Embed_KeepsInputOrderWhileBatchingByLength()
    {
        string[] lines = ["a dog.", "A man is riding a white horse on an enclosed ground near a river.", "snow", "Two children play in the park."];
        var (code, output, err) = CliRunner.Run(string.Join('\n', lines) + "\n", "embed", "--model", minilm.Folder, "--threads", "1");
        Assert.True(code == 0, err);
        Tokenizer tokenizer = Checkpoint.LoadTokenizer(minilm.Folder, minilm.Model.Config);
        float[][] alone = lines.Select(l => minilm.Embed([tokenizer.EncodeToIds(l)])[0]).ToArray();
        string[] printed = output.TrimEnd('\n').Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            float[] v = printed[i].Split(' ').Select(x => float.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            Assert.True(v.Zip(alone[i], (a, b) => Math.Abs(a - b)).Max() < 1e-6, $"line {i + 1} is not the embedding of '{lines[i]}'");
        }
    }

    [Fact]
    public void EmbedTruncate_KeepsClsAndSepOfALineLongerThanMaxLen()
    {
        // 600 words: more tokens than all-MiniLM-L6-v2's 512 positions. Hugging Face keeps [CLS] + the first 510 + [SEP].
        string line = string.Join(' ', Enumerable.Range(0, 600).Select(i => i % 2 == 0 ? "river" : "dog"));
        var (code, output, err) = CliRunner.Run(line + "\n", "embed", "--model", minilm.Folder, "--threads", "1");
        Assert.NotEqual(0, code);
        Assert.Contains("--truncate", err);
        (code, output, err) = CliRunner.Run(line + "\n", "embed", "--model", minilm.Folder, "--threads", "1", "--truncate");
        Assert.True(code == 0, err);
        Tokenizer tokenizer = Checkpoint.LoadTokenizer(minilm.Folder, minilm.Model.Config);
        int[] full = tokenizer.EncodeToIds(line);
        int[] kept = [full[0], .. full[1..511], full[^1]];
        Assert.Equal((tokenizer.TokenToId("[CLS]"), tokenizer.TokenToId("[SEP]")), (kept[0], kept[^1]));
        float[] expected = minilm.Embed([kept])[0];
        float[] v = output.TrimEnd('\n').Split(' ').Select(x => float.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(v.Zip(expected, (a, b) => Math.Abs(a - b)).Max() < 1e-6, "the embedding is not that of [CLS] + the first 510 tokens + [SEP]");
    }

    [Fact]
    public void Generate_RunsAGpt2FolderWithVocabJsonAndMerges()
    {
        using TempDirectory dir = Gpt2Folder();
        Tokenizer tokenizer = Checkpoint.LoadTokenizer(dir, Checkpoint.ReadConfig(dir));
        Assert.Equal([9, 8, 11], tokenizer.EncodeToIds("ab cd"));      // "ab", then "Ġcd" = "Ġ" + ("c" "d" merged)
        var (code, output, err) = CliRunner.Run("", "generate", "--model", dir, "--prompt", "ab cd", "--max-new-tokens", "4", "--temperature", "0", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.StartsWith("ab cd", output);
    }

    [Fact]
    public void TrainFromABertFolder_ThenClassify()
    {
        using var dir = new TempDirectory();
        string data = Path.Combine(dir, "train.tsv");
        File.WriteAllLines(data, Enumerable.Range(0, 24).Select(i => i % 2 == 0 ? "dog\tthe dog runs in the snow" : "cat\ta cat play in the park"));
        var (code, _, err) = CliRunner.Run("", "train", "--task", "classify", "--init", Path.Combine(Fixtures, "sentence_bert"), "--input", data,
            "--out", Path.Combine(dir, "run"), "--steps", "30", "--lr", "0.01", "--warmup", "0", "--validate-every", "30", "--threads", "1");
        Assert.True(code == 0, err);
        string best = Path.Combine(dir, "run", "best");
        var model = Checkpoint.LoadModel<BertModel>(best);
        Assert.Equal((2, 16, "mean"), (model.Config.NumClasses, model.Config.DModel, model.Config.Pooling));
        var pretrained = Checkpoint.LoadModel<BertModel>(Path.Combine(Fixtures, "sentence_bert"));
        Assert.False(model.WordEmbedding.Table.Data.SequenceEqual(pretrained.WordEmbedding.Table.Data), "fine-tuning left the encoder unchanged");
        (code, string output, err) = CliRunner.Run("the dog runs\na cat play\n", "classify", "--model", best, "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Equal(["dog", "cat"], output.TrimEnd('\n').Split('\n').Select(l => l.Split('\t')[0]));
    }

    [Fact]
    public void EmbedOnADecoder_IsAClearError()
    {
        var (code, _, err) = CliRunner.Run("hello\n", "embed", "--model", Path.Combine(Fixtures, "gpt2"));
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", err);
        Assert.Contains("decoder_only", err);
    }

    // The GPT-2 fixture with a 13-token byte-level vocabulary: 8 letters, "Ġ" (a space), three merges, <|endoftext|> = 12.
    private static TempDirectory Gpt2Folder()
    {
        var dir = new TempDirectory();
        foreach (string file in Directory.GetFiles(Path.Combine(Fixtures, "gpt2")))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(dir, "vocab.json"),
            """{"a": 0, "b": 1, "c": 2, "d": 3, "e": 4, "f": 5, "g": 6, "h": 7, "\u0120": 8, "ab": 9, "\u0120a": 10, "cd": 11, "<|endoftext|>": 12}""");
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\na b\n\u0120 a\nc d\n");
        return dir;
    }
}
