using System.Globalization;
using Attend.Cli.Hosting;
using Attend.Cli.Training;
using Attend.Kernels;
using Attend.Models;
using Attend.Training;
using Spectre.Console;

namespace Attend.Cli.Commands;

/// <summary><c>attend train</c>: trains a translator, a language model or a classifier from text files.</summary>
internal sealed class TrainCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["train"];

    public override string Summary => "Train a translator (--task translate), a language model (lm) or a classifier (classify) on your text files, or a Vision Transformer on images (image-classify).";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("task", "translate, lm, classify or image-classify.", "translate", ValueName: "TASK"),
        new("out", "Folder for the checkpoints (best/ and last/) and the loss curve.", ValueName: "DIR"),
        new("recipe", "A JSON file of option names and values; the command line wins.", ValueName: "FILE"),
        new("resume", "Continue the run saved in --out (last/) exactly where it stopped.", IsFlag: true),
        new("source", "translate: source sentences, one a line.", ValueName: "FILE"),
        new("target", "translate: target sentences, aligned with --source.", ValueName: "FILE"),
        new("valid-source", "translate: validation source sentences.", ValueName: "FILE"),
        new("valid-target", "translate: validation target sentences.", ValueName: "FILE"),
        new("input", "lm: text files; classify: 'label<TAB>text' lines.", IsMultiple: true, ValueName: "FILE"),
        new("valid-input", "lm or classify: validation file.", ValueName: "FILE"),
        new("valid-fraction", "Share held out for validation when no validation files are given.", "0.05", ValueName: "F"),
        new("images", "image-classify: training images, an IDX file (MNIST format, gzipped or not).", ValueName: "FILE"),
        new("labels", "image-classify: the IDX label file of --images.", ValueName: "FILE"),
        new("image-folder", "image-classify: training images as DIR/<class>/<image>.png|.jpg.", ValueName: "DIR"),
        new("valid-images", "image-classify: validation images (IDX).", ValueName: "FILE"),
        new("valid-labels", "image-classify: the IDX label file of --valid-images.", ValueName: "FILE"),
        new("valid-folder", "image-classify: validation images as DIR/<class>/<image>.", ValueName: "DIR"),
        new("class-names", "image-classify: names of the IDX label ids 0, 1, ... (a folder names its own classes).", IsMultiple: true, ValueName: "NAME"),
        new("channels", "image-classify: image channels of an image folder (1 grey, 3 RGB; IDX files are grey).", "3", ValueName: "N"),
        new("patch-size", "image-classify: side of the square patches (image sides must be multiples).", "4", ValueName: "P"),
        new("crop-padding", "image-classify: random crop after padding each side by this many pixels (0: off).", "0", ValueName: "N"),
        new("flip", "image-classify: mirror half of the training images left to right.", IsFlag: true),
        new("tokenizer", "A tokenizer.json to use instead of training one.", ValueName: "FILE"),
        new("init", "classify: start from a pretrained encoder folder (BERT, sentence-transformers, or a checkpoint): its tokenizer and weights, a new head.", ValueName: "DIR"),
        new("vocab-size", "Vocabulary of the BPE tokenizer trained on the training text.", "8000", ValueName: "N"),
        new("truncate", "Cut sequences longer than --max-len instead of stopping with an error.", IsFlag: true),
        new("d-model", "Model width.", "256", ValueName: "N"),
        new("heads", "Attention heads.", "4", ValueName: "N"),
        new("d-ff", "Feed-forward width.", "1024", ValueName: "N"),
        new("encoder-layers", "Encoder layers (translate, classify).", "3", ValueName: "N"),
        new("decoder-layers", "Decoder layers (translate, lm).", "3", ValueName: "N"),
        new("max-len", "Longest sequence in tokens.", "128", ValueName: "N"),
        new("dropout", "Dropout probability.", "0.1", ValueName: "P"),
        new("activation", "relu or gelu.", "relu", ValueName: "NAME"),
        new("norm-first", "Pre-norm instead of the paper's post-norm.", IsFlag: true),
        new("positional", "sinusoidal or learned.", "sinusoidal", ValueName: "KIND"),
        new("no-tie-embeddings", "Separate source, target and output embeddings.", IsFlag: true),
        new("no-scale-embeddings", "Do not multiply token embeddings by sqrt(d_model) (nanoGPT does not).", IsFlag: true),
        new("no-output-bias", "No bias on the vocabulary projection (nanoGPT's lm_head).", IsFlag: true),
        new("steps", "Optimisation steps.", "4000", ValueName: "N"),
        new("max-tokens", "Padded tokens per batch (translate, classify).", "4096", ValueName: "N"),
        new("batch", "lm: blocks per batch; image-classify: images per batch.", "12", ValueName: "N"),
        new("block", "lm: tokens per block.", "64", ValueName: "N"),
        new("schedule", "cosine, noam (the paper's warm-up) or constant.", "cosine", ValueName: "NAME"),
        new("lr", "Peak learning rate (the factor for noam).", "0.0007", ValueName: "LR"),
        new("min-lr", "Final learning rate of the cosine schedule.", "0.00007", ValueName: "LR"),
        new("warmup", "Warm-up steps.", "400", ValueName: "N"),
        new("beta1", "Adam's beta1.", "0.9", ValueName: "B"),
        new("beta2", "Adam's beta2.", "0.98", ValueName: "B"),
        new("eps", "Adam's epsilon.", "1e-9", ValueName: "E"),
        new("weight-decay", "Weight decay.", "0", ValueName: "W"),
        new("adamw", "Decoupled weight decay (AdamW).", IsFlag: true),
        new("label-smoothing", "Label smoothing (translate default 0.1; lm and classify use 0).", "0.1", ValueName: "E"),
        new("clip", "Clip gradients to this global norm (0: off).", "1", ValueName: "N"),
        new("validate-every", "Validate and checkpoint every N steps.", "500", ValueName: "N"),
        new("seed", "Seed of the weights, the data order and dropout.", "1", ValueName: "S"),
        CommonOptions.Threads,
        new("comm-timeout", "Under mpirun: end the job when a rank waits this long for the others (a hung or lost rank).", "300", ValueName: "SECONDS"),
        new("bucket-mb", "Under mpirun: gradients are summed across ranks in buckets of this size during the backward pass.", "4", ValueName: "MB"),
        new("no-overlap", "Under mpirun: sum the gradients after the backward pass instead of during it (for comparison).", IsFlag: true),
    ];

    /// <summary>Options that say how to run, not what to train: not saved in run.json.</summary>
    public static IReadOnlySet<string> LaunchOptions { get; } = new HashSet<string>(StringComparer.Ordinal)
        { "resume", "recipe", "threads", "comm-timeout", "bucket-mb", "no-overlap" };

    public override int Execute(ParsedArgs args, CliContext context)
    {
        args = Recipe.Apply(args);
        string task = args.Flag("resume") && !args.Has("task") ? SavedTask(args) : args.Required("task");
        if (task is not ("translate" or "lm" or "classify" or "image-classify"))
            throw new UsageException($"option '--task' must be translate, lm, classify or image-classify, got '{task}'");
        if (!MpiRank.IsLaunched)
        {
            KernelThreads.Count = args.GetInt("threads", 1, 256);
            return Train(new TrainingRun(args, context, Console(context), null), task);
        }
        KernelThreads.Count = args.Has("threads") ? args.GetInt("threads", 1, 256) : MpiRank.DefaultThreads;
        return MpiRank.Run(context, (communicator, rankContext) => Train(new TrainingRun(args, rankContext, Console(rankContext), communicator), task));
    }

    private static IAnsiConsole Console(CliContext context) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });

    private static int Train(TrainingRun run, string task) => task switch
    {
        "translate" => run.Translate(),
        "lm" => run.LanguageModel(),
        "image-classify" => run.ImageClassify(),
        _ => run.Classify(),
    };

    /// <summary>The task of the run saved in --out (run.json), so <c>--resume</c> needs no <c>--task</c>.</summary>
    private static string SavedTask(ParsedArgs args)
    {
        string path = System.IO.Path.Combine(args.Required("out"), "run.json");
        if (!File.Exists(path))
            return args.Required("task");
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("task", out var t) && t.GetString() is string task ? task : args.Required("task");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CliException($"{path}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>The model config the options describe.</summary>
    public static ModelConfig Config(ParsedArgs args, string type, int srcVocab, int tgtVocab, int pad, int bos, int eos, int classes = 2) => new ModelConfig
    {
        ModelType = type,
        DModel = args.GetInt("d-model", 1),
        Heads = args.GetInt("heads", 1),
        DFF = args.GetInt("d-ff", 1),
        EncoderLayers = type == "decoder_only" ? 0 : args.GetInt("encoder-layers", 0),
        DecoderLayers = type == "encoder_classifier" ? 0 : args.GetInt("decoder-layers", 0),
        SrcVocabSize = srcVocab,
        TgtVocabSize = tgtVocab,
        MaxLen = args.GetInt("max-len", 1),
        Dropout = (float)args.GetDouble("dropout", 0, 0.99),
        Activation = args.Required("activation"),
        NormFirst = args.Flag("norm-first"),
        Positional = args.Required("positional"),
        TieEmbeddings = !args.Flag("no-tie-embeddings"),
        ScaleEmbeddings = !args.Flag("no-scale-embeddings"),
        OutputBias = !args.Flag("no-output-bias"),
        NumClasses = classes,
        PadId = pad,
        BosId = bos,
        EosId = eos,
    }.Validate();

    /// <summary>The trainer options the options describe.</summary>
    public static TrainerOptions Trainer(ParsedArgs args, float labelSmoothing) => new()
    {
        Steps = args.GetInt("steps", 1),
        MaxTokens = args.GetInt("max-tokens", 1),
        Schedule = args.Required("schedule"),
        LearningRate = (float)args.GetDouble("lr", 0),
        MinLearningRate = (float)args.GetDouble("min-lr", 0),
        Warmup = args.GetInt("warmup", 0),
        ValidateEvery = args.GetInt("validate-every", 1),
        Seed = (ulong)args.GetInt("seed", 0),
        Adam = new AdamOptions
        {
            Beta1 = (float)args.GetDouble("beta1", 0, 1),
            Beta2 = (float)args.GetDouble("beta2", 0, 1),
            Eps = (float)args.GetDouble("eps", 0),
            WeightDecay = (float)args.GetDouble("weight-decay", 0),
            Decoupled = args.Flag("adamw"),
        },
        Step = new StepOptions { LabelSmoothing = labelSmoothing, ClipNorm = (float)args.GetDouble("clip", 0) },
        DataParallel = new DataParallelOptions
        {
            Timeout = TimeSpan.FromSeconds(args.GetDouble("comm-timeout", 1)),
            BucketBytes = (int)(args.GetDouble("bucket-mb", 0.001, 1024) * (1 << 20)),
            Overlap = !args.Flag("no-overlap"),
        },
    };

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
