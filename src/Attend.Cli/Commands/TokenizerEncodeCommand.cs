using System.Text;
using Attend.Cli.Hosting;
using Attend.Tokenization;

namespace Attend.Cli.Commands;

/// <summary><c>attend tokenizer encode</c>: one line of space-separated ids per input line.</summary>
internal sealed class TokenizerEncodeCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["tokenizer", "encode"];

    public override string Summary => "Encode text, one line of space-separated ids per input line (standard input without --input).";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("tokenizer", "tokenizer.json or a .tiktoken rank file.", ValueName: "FILE"),
        new("input", "UTF-8 text file; standard input when absent.", ValueName: "FILE"),
        new("pattern", "Pre-tokenizer for .tiktoken: gpt2, cl100k or a regex (default from the file name).", ValueName: "PATTERN"),
        new("add-bos", "Put the beginning-of-sequence token first.", IsFlag: true),
        new("add-eos", "Put the end-of-sequence token last.", IsFlag: true),
        new("no-special-tokens", "Do not add the special tokens the tokenizer's post-processor adds (Hugging Face's add_special_tokens=False).", IsFlag: true),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        var options = new TokenizerOptions { AddBos = args.Flag("add-bos"), AddEos = args.Flag("add-eos") };
        Tokenizer tokenizer = TokenizerFiles.Load(args.Required("tokenizer"), args.Get("pattern"), options);
        bool addSpecialTokens = !args.Flag("no-special-tokens");
        var ids = new List<int>();
        var line = new StringBuilder();
        foreach (string text in InputLines(args.Get("input"), context.In))
        {
            ids.Clear();
            tokenizer.EncodeToIds(text, ids, addSpecialTokens);
            line.Clear();
            for (int i = 0; i < ids.Count; i++)
            {
                if (i > 0)
                    line.Append(' ');
                line.Append(ids[i]);
            }
            context.Out.WriteLine(line);
        }
        return 0;
    }

    /// <summary>The lines of <paramref name="path"/> (strict UTF-8), or of <paramref name="stdin"/> when null.</summary>
    internal static IEnumerable<string> InputLines(string? path, TextReader stdin)
    {
        if (path is not null)
        {
            foreach (string line in Attend.Data.TextFiles.ReadLines(path))
                yield return line;
            yield break;
        }
        while (stdin.ReadLine() is string line)
            yield return line;
    }
}
