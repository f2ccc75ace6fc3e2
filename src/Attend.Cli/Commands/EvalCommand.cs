using System.Text.Json;
using Attend.Cli.Hosting;
using Attend.Cli.Inference;
using Attend.Evaluation;
using Attend.IO;
using Attend.Kernels;
using Attend.Models;
using Attend.Training;

namespace Attend.Cli.Commands;

/// <summary>
/// <c>attend eval</c>: measures a checkpoint on held-out data: BLEU, loss and perplexity for a translator, loss,
/// perplexity and loss per character for a language model, accuracy for a classifier.
/// </summary>
internal sealed class EvalCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["eval"];

    public override string Summary => "Evaluate a checkpoint: BLEU for translation, perplexity for a language model, accuracy for a classifier, accuracy and a confusion matrix for a Vision Transformer.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("model", "Checkpoint folder.", ValueName: "DIR"),
        new("source", "translate: source sentences.", ValueName: "FILE"),
        new("target", "translate: reference translations.", ValueName: "FILE"),
        new("input", "lm: a text file; classify: 'label<TAB>text' lines.", ValueName: "FILE"),
        new("beam", "translate: beam size (1 is greedy).", "1", ValueName: "N"),
        new("length-penalty", "translate: beam search length penalty alpha.", "1", ValueName: "A"),
        new("max-new-tokens", "translate: longest translation.", "128", ValueName: "N"),
        new("output", "translate: also write the translations to this file.", ValueName: "FILE"),
        new("block", "lm: tokens per block.", "64", ValueName: "N"),
        new("truncate", "Cut inputs longer than the model's max_len.", IsFlag: true),
        new("images", "Vision Transformer: test images, an IDX file (gzipped or not).", ValueName: "FILE"),
        new("labels", "Vision Transformer: the IDX label file of --images.", ValueName: "FILE"),
        new("image-folder", "Vision Transformer: test images as DIR/<class>/<image>.png|.jpg.", ValueName: "DIR"),
        new("confusion", "Vision Transformer: the confusion matrix PNG to write.", "confusion.png", ValueName: "FILE"),
        CommonOptions.Threads,
        new("json", "End with one JSON object of the figures.", IsFlag: true),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        KernelThreads.Count = args.GetInt("threads", 1, 256);
        string dir = args.Required("model");
        ModelConfig config = Checkpoint.ReadConfig(dir);
        if (config.ModelType == "vit")
            return Images.ImageVerbs.Evaluate(args, context);
        var figures = config.ModelType switch
        {
            "seq2seq" => Translation(args, dir),
            "decoder_only" => LanguageModel(args, dir),
            _ => Classification(args, dir),
        };
        foreach (var (key, value) in figures)
            context.Out.WriteLine($"{key}: {value}");
        if (args.Flag("json"))
            context.Out.WriteLine(JsonSerializer.Serialize(figures.ToDictionary(f => f.Key, f => f.Value), EvalJsonContext.Default.DictionaryStringObject));
        return 0;
    }

    private static List<KeyValuePair<string, object>> Translation(ParsedArgs args, string dir)
    {
        var (model, tokenizer) = LoadedModel.Load<Seq2SeqTransformer>(dir);
        var pairs = Attend.Data.ParallelCorpus.Read(Need(args, "source"), Need(args, "target"));
        bool truncate = args.Flag("truncate");
        List<int[]> sources = InputLines.Encode(tokenizer, pairs.Select(p => p.Source).ToList(), model.Config.MaxLen, truncate, args.Get("source")!);
        List<int[]> targets = InputLines.Encode(tokenizer, pairs.Select(p => p.Target).ToList(), model.Config.MaxLen - 1, true, args.Get("target")!);
        var start = System.Diagnostics.Stopwatch.StartNew();
        List<string> hyps = TranslateCommand.Translate(model, sources, args.GetInt("beam", 1, 64), (float)args.GetDouble("length-penalty", 0),
            args.GetInt("max-new-tokens", 1), 64).Select(ids => tokenizer.Decode(ids, skipSpecialTokens: true)).ToList();
        double seconds = start.Elapsed.TotalSeconds;
        if (args.Get("output") is string output)
            AtomicFile.Write(output, s => s.Write(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", hyps) + "\n")));
        BleuScore bleu = Bleu.Corpus(hyps, pairs.Select(p => p.Target).ToList());
        double loss = TranslationTask.Loss(model, sources.Zip(targets).ToList(), 4096);
        return
        [
            new("bleu", Math.Round(bleu.Score, 2)),
            new("bleu_signature", bleu.ToString()),
            new("loss", Math.Round(loss, 4)),
            new("perplexity", Math.Round(Math.Exp(loss), 3)),
            new("sentences", pairs.Count),
            new("beam", args.GetInt("beam", 1, 64)),
            new("decode_seconds", Math.Round(seconds, 2)),
        ];
    }

    private static List<KeyValuePair<string, object>> LanguageModel(ParsedArgs args, string dir)
    {
        var (model, tokenizer) = LoadedModel.Load<DecoderOnlyTransformer>(dir);
        string text = string.Join("\n", Attend.Data.TextFiles.ReadLines(Need(args, "input")));
        int[] ids = tokenizer.EncodeToIds(text, addSpecialTokens: false);
        int block = Math.Min(args.GetInt("block", 2), model.Config.MaxLen);
        if (ids.Length <= block)
            throw new CliException($"{args.Get("input")}: {ids.Length} tokens, fewer than one block of {block} + 1");
        double loss = LanguageModelTask.Loss(model, ids, 16, block, int.MaxValue);
        int blocks = (ids.Length - 1) / block;
        double charsPerToken = (double)text.Length / ids.Length;
        return
        [
            new("loss", Math.Round(loss, 4)),
            new("perplexity", Math.Round(Math.Exp(loss), 3)),
            new("loss_per_character", Math.Round(loss / charsPerToken, 4)),
            new("tokens", (long)blocks * block),
        ];
    }

    private static List<KeyValuePair<string, object>> Classification(ParsedArgs args, string dir)
    {
        var (model, tokenizer) = LoadedModel.Load<ISequenceClassifier>(dir);
        List<string> labels = Training.ClassLabels.Read(dir);
        var examples = Training.TrainingData.LabelledLines(Need(args, "input"));
        List<int[]> ids = InputLines.Encode(tokenizer, examples.Select(e => e.Text).ToList(), model.Config.MaxLen, args.Flag("truncate"), args.Get("input")!);
        string[] predicted = ClassifyCommand.Predict(model, ids).Select(p => labels[p.Class]).ToArray();
        int right = examples.Zip(predicted).Count(x => x.First.Label == x.Second);
        return [new("accuracy", Math.Round((double)right / examples.Count, 4)), new("examples", examples.Count)];
    }

    private static string Need(ParsedArgs args, string option) =>
        args.Get(option) ?? throw new UsageException($"option '--{option}' is required for this checkpoint");
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class EvalJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
