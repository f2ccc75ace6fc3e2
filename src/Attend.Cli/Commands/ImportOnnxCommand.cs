using Attend.Cli.Hosting;
using Attend.IO;
using Attend.IO.Onnx;
using Attend.Models;

namespace Attend.Cli.Commands;

/// <summary><c>attend import onnx</c>: a BERT-family encoder exported to ONNX as a Hugging Face (sentence-transformers) folder.</summary>
internal sealed class ImportOnnxCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["import", "onnx"];

    public override string Summary => "Convert a BERT-family encoder exported to ONNX (such as all-MiniLM-L6-v2's model.onnx) into a model folder.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("input", "The model.onnx file.", ValueName: "FILE"),
        new("vocab", "The model's WordPiece vocab.txt, copied into the folder.", ValueName: "FILE"),
        new("out", "The folder to write (config.json, model.safetensors, modules.json, 1_Pooling/, vocab.txt).", ValueName: "DIR"),
        new("pooling", "Sentence embedding pooling: mean, cls or max.", "mean", ValueName: "MODE"),
        new("no-normalize", "Do not scale sentence embeddings to unit length.", IsFlag: true),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        string pooling = args.Required("pooling");
        if (pooling is not ("mean" or "cls" or "max"))
            throw new UsageException($"option '--pooling' must be mean, cls or max, got '{pooling}'");
        string output = args.Required("out");
        OnnxBertImport.ToFolder(args.Required("input"), output,
            new OnnxImportOptions { Pooling = pooling, Normalize = !args.Flag("no-normalize"), Vocabulary = args.Get("vocab") });
        ModelConfig c = Checkpoint.ReadConfig(output);
        context.Out.WriteLine($"wrote {output}: bert, {c.EncoderLayers} layers, hidden {c.DModel}, {c.Heads} heads, feed-forward {c.DFF} ({c.Activation}), " +
            $"vocabulary {c.SrcVocabSize}, {c.MaxLen} positions, layer norm epsilon {c.LayerNormEps:G}, {c.Pooling} pooling{(c.Normalize ? ", normalized" : "")}");
        return 0;
    }
}
