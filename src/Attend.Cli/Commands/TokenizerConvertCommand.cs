using Attend.Cli.Hosting;
using Attend.Tokenization;

namespace Attend.Cli.Commands;

/// <summary><c>attend tokenizer convert</c>: writes any loadable tokenizer (e.g. a .tiktoken rank file) as tokenizer.json.</summary>
internal sealed class TokenizerConvertCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["tokenizer", "convert"];

    public override string Summary => "Save a tokenizer (tokenizer.json or .tiktoken) as Hugging Face tokenizer.json.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("tokenizer", "tokenizer.json or a .tiktoken rank file.", ValueName: "FILE"),
        new("pattern", "Pre-tokenizer for .tiktoken: gpt2, cl100k or a regex (default from the file name).", ValueName: "PATTERN"),
        new("out", "Where to write tokenizer.json.", ValueName: "FILE"),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        Tokenizer tokenizer = TokenizerFiles.Load(args.Required("tokenizer"), args.Get("pattern"), TokenizerOptions.Default);
        string output = args.Required("out");
        tokenizer.SaveTokenizerJson(output);
        context.Out.WriteLine($"wrote {output}: {tokenizer.Summary}");
        return 0;
    }
}
