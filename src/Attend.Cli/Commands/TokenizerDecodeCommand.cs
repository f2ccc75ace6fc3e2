using System.Globalization;
using Attend.Cli.Hosting;
using Attend.Tokenization;

namespace Attend.Cli.Commands;

/// <summary><c>attend tokenizer decode</c>: the inverse of encode, one line of ids to one line of text.</summary>
internal sealed class TokenizerDecodeCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["tokenizer", "decode"];

    public override string Summary => "Decode lines of space-separated ids back to text (standard input without --input).";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("tokenizer", "tokenizer.json or a .tiktoken rank file.", ValueName: "FILE"),
        new("input", "File of id lines; standard input when absent.", ValueName: "FILE"),
        new("pattern", "Pre-tokenizer for .tiktoken (as for encode).", ValueName: "PATTERN"),
        new("skip-special-tokens", "Leave special tokens out of the text.", IsFlag: true),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        Tokenizer tokenizer = TokenizerFiles.Load(args.Required("tokenizer"), args.Get("pattern"), TokenizerOptions.Default);
        bool skip = args.Flag("skip-special-tokens");
        string source = args.Get("input") ?? "standard input";
        var ids = new List<int>();
        int lineNumber = 0;
        foreach (string line in TokenizerEncodeCommand.InputLines(args.Get("input"), context.In))
        {
            lineNumber++;
            ids.Clear();
            foreach (string word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id >= tokenizer.VocabularySize)
                    throw new CliException($"{source}: line {lineNumber}: '{word}' is not a token id (0 to {tokenizer.VocabularySize - 1})");
                ids.Add(id);
            }
            try
            {
                context.Out.WriteLine(tokenizer.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids), skip));
            }
            catch (ArgumentException e)
            {
                throw new CliException($"{source}: line {lineNumber}: {e.Message}", e);
            }
        }
        return 0;
    }
}
