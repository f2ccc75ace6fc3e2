using Attend.Cli.Hosting;

namespace Attend.Cli.Commands;

/// <summary>Every verb of the <c>attend</c> command, in the order the help lists them.</summary>
internal static class CommandRegistry
{
    public static IReadOnlyList<CliCommand> All { get; } =
    [
        new DemoCommand(),
        new TrainCommand(),
        new TranslateCommand(),
        new GenerateCommand(),
        new ClassifyCommand(),
        new EmbedCommand(),
        new EvalCommand(),
        new AttentionCommand(),
        new ServeCommand(),
        new BenchGemmCommand(),
        new BenchTrainCommand(),
        new BenchDecodeCommand(),
        new BenchVitCommand(),
        new TokenizerTrainCommand(),
        new TokenizerEncodeCommand(),
        new TokenizerDecodeCommand(),
        new TokenizerConvertCommand(),
        new ImportOnnxCommand(),
    ];
}
