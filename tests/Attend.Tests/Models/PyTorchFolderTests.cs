using System.Text.Json;
using Attend.Decoding;
using Attend.IO;
using Attend.Models;
using Attend.Tests.Cli;

namespace Attend.Tests.Models;

/// <summary>
/// A checkpoint folder written by PyTorch (the translation tutorial's model, its state_dict as safetensors) with a
/// tokenizer.json made by Hugging Face tokenizers loads and runs in Attend unchanged
/// (tests/pytorch/make_hf_tokenizer.js, then tests/pytorch/make_tutorial_folder.py).
/// </summary>
public class PyTorchFolderTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch_folder");

    private static JsonElement Expected()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void HuggingFaceTokenizer_GivesTheSameIdsAsHuggingFace()
    {
        var model = Checkpoint.LoadModel<Seq2SeqTransformer>(Folder);
        var tokenizer = Checkpoint.LoadTokenizer(Folder, model.Config);
        JsonElement e = Expected();
        Assert.Equal(e.GetProperty("source_ids").EnumerateArray().Select(x => x.GetInt32()), tokenizer.EncodeToIds(e.GetProperty("sentence").GetString()));
    }

    [Fact]
    public void TutorialCheckpoint_GreedyDecodesLikeThePyTorchTutorial()
    {
        var model = Checkpoint.LoadModel<Seq2SeqTransformer>(Folder);
        JsonElement e = Expected();
        int[] source = e.GetProperty("source_ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        int[] expected = e.GetProperty("greedy_output_ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        Assert.Equal(expected, Greedy.Translate(model, [source], expected.Length)[0]);
    }

    [Fact]
    public void TranslateVerb_RunsOnTheFolderUnchanged()
    {
        var (code, output, err) = CliRunner.Run(Expected().GetProperty("sentence").GetString() + "\n", "translate", "--model", Folder, "--max-new-tokens", "12", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Single(output.TrimEnd('\n').Split('\n'));
    }
}
