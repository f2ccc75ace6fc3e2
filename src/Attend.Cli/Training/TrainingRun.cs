using System.Text.Json;
using Attend.Cli.Commands;
using Attend.Cli.Hosting;
using Attend.Data;
using Attend.Decoding;
using Attend.Distributed;
using Attend.IO;
using Attend.Models;
using Attend.Tokenization;
using Attend.Training;
using Spectre.Console;

namespace Attend.Cli.Training;

/// <summary>
/// One <c>attend train</c> run: data, tokenizer, model, trainer, progress, and checkpoints in --out: last/ after each
/// validation and on Ctrl+C, best/ when the validation loss improves, loss.png beside them. A loss that becomes NaN
/// or infinite stops the run with the last good checkpoints untouched. Under mpirun (a <paramref name="communicator"/>)
/// every rank runs this with the same arguments and trains on its share of each batch; rank 0 alone writes.
/// </summary>
internal sealed class TrainingRun(ParsedArgs args, CliContext context, IAnsiConsole console, Communicator? communicator)
{
    private const string RunFile = "run.json";

    private string Out => args.Required("out");

    private string LastDir => System.IO.Path.Combine(Out, "last");

    private string BestDir => System.IO.Path.Combine(Out, "best");

    public int Translate()
    {
        Prepare();
        var pairs = Attend.Data.ParallelCorpus.Read(Need("source"), Need("target"));
        List<(string Source, string Target)> validText = args.Get("valid-source") is string vs
            ? Attend.Data.ParallelCorpus.Read(vs, Need("valid-target"))
            : [];
        if (validText.Count == 0)
            (pairs, validText) = TrainingData.Split(pairs, args.GetDouble("valid-fraction", 0, 0.5), (ulong)args.GetInt("seed", 0));
        Tokenizer tokenizer = Resuming ? Checkpoint.LoadTokenizer(LastDir, Checkpoint.ReadConfig(LastDir))
            : Shared(() => TrainingData.Tokenizer(args.Get("tokenizer"), args.GetInt("vocab-size", 260), pairs.SelectMany(p => new[] { p.Source, p.Target })));
        (int pad, int bos, int eos) = Specials(tokenizer);
        Seq2SeqTransformer model = Resuming ? Checkpoint.LoadModel<Seq2SeqTransformer>(LastDir)
            : Seq2SeqTransformer.Create(TrainCommand.Config(args, "seq2seq", tokenizer.VocabularySize, tokenizer.VocabularySize, pad, bos, eos), Seed);
        int maxLen = model.Config.MaxLen - 1;
        Tokenizer? truncating = args.Flag("truncate") ? tokenizer.WithTruncation(maxLen) : null;
        List<(int[], int[])> Encode(List<(string Source, string Target)> list, string what) => list.Select((p, i) =>
            (TrainingData.Ids(tokenizer, truncating, p.Source, maxLen, $"{what} source line {i + 1}"),
             TrainingData.Ids(tokenizer, truncating, p.Target, maxLen, $"{what} target line {i + 1}", addSpecialTokens: false))).ToList();
        TrainerOptions options = TrainCommand.Trainer(args, (float)args.GetDouble("label-smoothing", 0, 1));
        var validIds = Encode(validText, "validation");
        var task = new TranslationTask(model, Encode(pairs, "training"), validIds, options.MaxTokens, options.Seed);
        // BLEU on up to 500 validation sentences with greedy decoding, as sacreBLEU computes it
        int bleuCount = Math.Min(500, validText.Count);
        string Bleu()
        {
            var hyps = Greedy.Translate(model, validIds.Take(bleuCount).Select(p => p.Item1).ToList(), maxLen)
                .Select(ids => tokenizer.Decode(ids, skipSpecialTokens: true)).ToList();
            return $"BLEU {Attend.Evaluation.Bleu.Corpus(hyps, validText.Take(bleuCount).Select(p => p.Target).ToList()).Score:F2} on {bleuCount} validation sentences";
        }
        return Run(model, tokenizer, task, options, $"{pairs.Count:N0} sentence pairs", validationReport: bleuCount > 0 ? Bleu : null);
    }

    public int LanguageModel()
    {
        Prepare();
        IReadOnlyList<string> inputs = args.GetAll("input");
        if (inputs.Count == 0)
            throw new UsageException("option '--input' is required for --task lm");
        string text = string.Join("\n", inputs.Select(f => string.Join("\n", Attend.Data.TextFiles.ReadLines(f))));
        if (text.Length == 0)
            throw new CliException($"{string.Join(", ", inputs)}: the text is empty");
        string validText;
        if (args.Get("valid-input") is string vf)
        {
            validText = string.Join("\n", Attend.Data.TextFiles.ReadLines(vf));
        }
        else
        {
            int cut = (int)(text.Length * (1 - args.GetDouble("valid-fraction", 0, 0.5)));
            (text, validText) = (text[..cut], text[cut..]);
        }
        Tokenizer tokenizer = Resuming ? Checkpoint.LoadTokenizer(LastDir, Checkpoint.ReadConfig(LastDir))
            : Shared(() => TrainingData.Tokenizer(args.Get("tokenizer"), args.GetInt("vocab-size", 260), text.Split('\n')));
        (int pad, int bos, int eos) = Specials(tokenizer);
        DecoderOnlyTransformer model = Resuming ? Checkpoint.LoadModel<DecoderOnlyTransformer>(LastDir)
            : DecoderOnlyTransformer.Create(TrainCommand.Config(args, "decoder_only", tokenizer.VocabularySize, tokenizer.VocabularySize, pad, bos, eos), Seed);
        TrainerOptions options = TrainCommand.Trainer(args, args.Has("label-smoothing") ? (float)args.GetDouble("label-smoothing", 0, 1) : 0f);
        int block = args.GetInt("block", 1);
        var task = new LanguageModelTask(model, tokenizer.EncodeToIds(text, addSpecialTokens: false), tokenizer.EncodeToIds(validText, addSpecialTokens: false), args.GetInt("batch", 1), block, options.Seed);
        return Run(model, tokenizer, task, options, $"{text.Length:N0} characters");
    }

    public int Classify()
    {
        Prepare();
        IReadOnlyList<string> inputs = args.GetAll("input");
        if (inputs.Count != 1)
            throw new UsageException("option '--input' takes one 'label<TAB>text' file for --task classify");
        var all = TrainingData.LabelledLines(inputs[0]);
        var valid = args.Get("valid-input") is string vf ? TrainingData.LabelledLines(vf) : [];
        if (valid.Count == 0)
            (all, valid) = TrainingData.Split(all, args.GetDouble("valid-fraction", 0, 0.5), (ulong)args.GetInt("seed", 0));
        string? init = Resuming ? null : args.Get("init");   // a pretrained encoder folder: its tokenizer and weights, a new head
        ITransformerModel? pretrained = init is null ? null : Checkpoint.LoadModel(init);
        Tokenizer tokenizer = Resuming ? Checkpoint.LoadTokenizer(LastDir, Checkpoint.ReadConfig(LastDir))
            : pretrained is not null ? Checkpoint.LoadTokenizer(init!, pretrained.Config)
            : Shared(() => TrainingData.Tokenizer(args.Get("tokenizer"), args.GetInt("vocab-size", 260), all.Select(e => e.Text)));
        List<string> labels = Resuming ? ClassLabels.Read(LastDir) : all.Select(e => e.Label).Distinct().ToList();
        ISequenceClassifier model = Resuming ? Checkpoint.LoadModel<ISequenceClassifier>(LastDir)
            : pretrained is not null ? PretrainedClassifier.FromEncoder(pretrained, labels.Count, Seed)
            : NewClassifier(tokenizer, labels.Count);
        int maxLen = model.Config.MaxLen;
        Tokenizer? truncating = args.Flag("truncate") ? tokenizer.WithTruncation(maxLen) : null;
        List<(int[], int)> Encode(List<(string Label, string Text)> list, string what) => list.Select((e, i) =>
        {
            int label = labels.IndexOf(e.Label);
            if (label < 0)
                throw new CliException($"{what} line {i + 1}: label '{e.Label}' does not occur in the training data");
            return (TrainingData.Ids(tokenizer, truncating, e.Text, maxLen, $"{what} line {i + 1}"), label);
        }).ToList();
        TrainerOptions options = TrainCommand.Trainer(args, args.Has("label-smoothing") ? (float)args.GetDouble("label-smoothing", 0, 1) : 0f);
        var task = new ClassificationTask(model, Encode(all, "training"), Encode(valid, "validation"), options.MaxTokens, options.Seed);
        return Run(model, tokenizer, task, options, $"{all.Count:N0} labelled lines, classes {string.Join(", ", labels)}", labels);
    }

    public int ImageClassify()
    {
        // a new run reads and checks every image before it writes anything to --out; a resumed one first needs run.json
        if (Resuming)
            Prepare();
        ModelConfig? saved = Resuming ? Checkpoint.ReadConfig(LastDir) : null;
        int channels = saved?.NumChannels ?? (args.Get("image-folder") is null ? 1 : args.GetInt("channels", 1, 3));
        IReadOnlyList<string>? classes = Resuming ? ClassLabels.Read(LastDir) : args.Has("class-names") ? args.GetAll("class-names") : null;
        ImageSet train = Images.ImageData.Read(args, "", "image-folder", channels, classes)
            ?? throw new UsageException("--task image-classify needs '--images' and '--labels' (IDX files) or '--image-folder'");
        ImageSet? valid = Images.ImageData.Read(args, "valid-", "valid-folder", channels, train.Classes);
        if (valid is null)
        {
            var (kept, held) = TrainingData.Split(Enumerable.Range(0, train.Count).ToList(), args.GetDouble("valid-fraction", 0, 0.5), Seed);
            (train, valid) = (train.Subset(kept), held.Count > 0 ? train.Subset(held) : null);
        }
        VisionTransformer model;
        ImageNormalization normalization;
        if (Resuming)
        {
            model = Checkpoint.LoadModel<VisionTransformer>(LastDir);
            normalization = ImageNormalization.Load(LastDir, model.Config.NumChannels);
        }
        else
        {
            ModelConfig config = TrainCommand.Config(args, "encoder_classifier", 1, 1, 0, 0, 0, train.Classes.Count) with
            {
                ModelType = "vit",
                DecoderLayers = 0,
                Activation = args.Has("activation") ? args.Required("activation") : "gelu",
                NormFirst = true,
                LayerNormEps = 1e-6f,
                Positional = "learned",
                ImageSize = train.Height,
                ImageWidth = train.Width == train.Height ? 0 : train.Width,
                PatchSize = args.GetInt("patch-size", 1),
                NumChannels = train.Channels,
            };
            try
            {
                model = VisionTransformer.Create(config.Validate(), Seed);
            }
            catch (ArgumentException e)
            {
                throw new CliException($"{e.Message} (images are {train.Width} x {train.Height})", e);
            }
            normalization = ImageNormalization.FromImages(train);
            Prepare();
        }
        TrainerOptions options = TrainCommand.Trainer(args, args.Has("label-smoothing") ? (float)args.GetDouble("label-smoothing", 0, 1) : 0f);
        var augmentation = new ImageAugmentation(args.GetInt("crop-padding", 0), args.Flag("flip"));
        var task = new ImageClassificationTask(model, train, valid, normalization, args.GetInt("batch", 1), augmentation, options.Seed);
        List<string> labels = [.. train.Classes];
        return Run(model, null, task, options,
            $"{train.Count:N0} training and {valid?.Count ?? 0:N0} validation images of {train.Width} x {train.Height} x {train.Channels}, {labels.Count} classes",
            labels, valid is null ? null : () => TrainCommand.Invariant($"accuracy {100 * task.ValidationAccuracy:F2}% on {valid.Count:N0} validation images"),
            dir => normalization.Save(dir, model.ImageHeight, model.ImageWidth));
    }

    private EncoderClassifier NewClassifier(Tokenizer tokenizer, int classes)
    {
        (int pad, int bos, int eos) = Specials(tokenizer);
        return EncoderClassifier.Create(TrainCommand.Config(args, "encoder_classifier", tokenizer.VocabularySize, tokenizer.VocabularySize, pad, bos, eos, classes), Seed);
    }

    private bool Resuming => args.Flag("resume");

    // Rank 0 prints and writes; the other ranks only train.
    private bool IsRoot => communicator is null || communicator.Rank == 0;

    // Under mpirun rank 0 trains the tokenizer and sends it to the others as tokenizer.json; every rank (rank 0 too)
    // uses the tokenizer read back from those bytes, so all encode their data identically. A --tokenizer file is read
    // by every rank.
    private Tokenizer Shared(Func<Tokenizer> make)
    {
        if (communicator is null || args.Has("tokenizer"))
            return make();
        byte[]? json = null;
        if (IsRoot)
        {
            using var stream = new MemoryStream();
            make().SaveTokenizerJson(stream);
            json = stream.ToArray();
        }
        json = communicator.Broadcast(json, 0, "broadcast of the tokenizer");
        using var read = new MemoryStream(json);
        return Tokenizer.FromTokenizerJson(read, "the tokenizer of rank 0");
    }

    private ulong Seed => (ulong)args.GetInt("seed", 0);

    private string Need(string option) => args.Get(option) ?? throw new UsageException($"option '--{option}' is required for --task {args.Get("task")}");

    private void Prepare()
    {
        string outDir = Out;
        if (IsRoot)
            ProbeOutput(outDir);
        if (Resuming)
        {
            if (!File.Exists(System.IO.Path.Combine(LastDir, "trainer_state.json")))
                throw new CliException($"{LastDir}: nothing to resume (no trainer_state.json)");
            string runFile = System.IO.Path.Combine(outDir, RunFile);
            if (File.Exists(runFile))
                args = Recipe.Apply(ParsedArgs.Parse([.. args.Raw, "--recipe", runFile], args.Declared));
        }
        else if (IsRoot)
        {
            SaveRun(outDir);
        }
    }

    private static void ProbeOutput(string outDir)
    {
        try
        {
            Directory.CreateDirectory(outDir);
            string probe = System.IO.Path.Combine(outDir, ".write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{outDir}: cannot write to the output folder ({e.Message})", e);
        }
    }

    private void SaveRun(string outDir)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (CliOption o in args.Declared)
            {
                if (TrainCommand.LaunchOptions.Contains(o.Name) || !args.Has(o.Name))
                    continue;
                if (o.IsFlag)
                    w.WriteBoolean(o.Name, true);
                else if (o.IsMultiple)
                {
                    w.WriteStartArray(o.Name);
                    foreach (string v in args.GetAll(o.Name))
                        w.WriteStringValue(v);
                    w.WriteEndArray();
                }
                else
                    w.WriteString(o.Name, args.Get(o.Name));
            }
            w.WriteEndObject();
        }
        AtomicFile.Write(System.IO.Path.Combine(outDir, RunFile), s => s.Write(stream.ToArray()));
    }

    private static (int Pad, int Bos, int Eos) Specials(Tokenizer tokenizer) =>
        (tokenizer.PadId ?? throw new CliException("the tokenizer has no <pad> token; train one here or add the special tokens"),
         tokenizer.BosId ?? throw new CliException("the tokenizer has no <bos> token"),
         tokenizer.EosId ?? throw new CliException("the tokenizer has no <eos> token"));

    private int Run(ITransformerModel model, Tokenizer? tokenizer, ITrainingTask task, TrainerOptions options, string dataSummary,
        List<string>? labels = null, Func<string>? validationReport = null, Action<string>? extraFiles = null)
    {
        Adam adam = new(model.Parameters, options.Adam);
        TrainerState? state = Resuming ? TrainingCheckpoint.Load(LastDir, adam) : null;
        using var trainer = new Trainer(model, task, options, state, adam, communicator);
        void WriteLabels(string dir)
        {
            if (labels is not null)
                ClassLabels.Write(dir, labels);
            extraFiles?.Invoke(dir);
        }
        void SaveLast()
        {
            TrainingCheckpoint.Save(LastDir, model, tokenizer, trainer.Optimizer, trainer.State, WriteLabels);
            LossCurve.TrySave(System.IO.Path.Combine(Out, "loss.png"), trainer.State);
        }
        trainer.OnValidation = (s, best) =>
        {
            if (!IsRoot)
                return;
            double loss = s.ValidationLosses[^1].Loss;
            string extra = validationReport is null ? "" : "; " + validationReport();
            console.WriteLine(TrainCommand.Invariant($"step {s.Step}: validation loss {loss:F4}, perplexity {Math.Exp(loss):F2}{extra}{(best ? " (best so far)" : "")}"));
            SaveLast();
            if (best)
            {
                Checkpoint.Save(BestDir, model, tokenizer, WriteLabels);
            }
        };
        console.WriteLine($"{dataSummary}; {model.Parameters.Count:N0} parameters; {(state is null ? "starting" : $"resuming at step {state.Step}")}");
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            TrainingProgressView.Run(console, options.Steps, (onStep, _) =>
            {
                trainer.OnStep = onStep;
                trainer.Run(cancel.Token);
                return 0;
            });
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        if (trainer.Stopped)
        {
            if (IsRoot)
                SaveLast();
            context.Out.WriteLine($"interrupted at step {trainer.State.Step}; saved {LastDir}; continue with --resume");
            return 130;
        }
        double valid = trainer.State.ValidationLosses.Count > 0 ? trainer.State.ValidationLosses[^1].Loss : double.NaN;
        context.Out.WriteLine(TrainCommand.Invariant(
            $"done: {trainer.State.Step} steps, last training loss {trainer.State.TrainLosses[^1].Loss:F4}, validation loss {valid:F4} (perplexity {Math.Exp(valid):F2}); best: {BestDir}; last: {LastDir}"));
        if (trainer.Parallel is { } parallel)
            context.Out.WriteLine(TrainCommand.Invariant(
                $"data parallel: {parallel.Size} ranks; waiting for communication took {100 * parallel.Waited / trainer.StepTime:F1}% of the step time ({parallel.Waited.TotalSeconds:F1} of {trainer.StepTime.TotalSeconds:F1} s)"));
        return 0;
    }
}
