using Attend.Cli.Hosting;
using Attend.Cli.Inference;
using Attend.Decoding;
using Attend.Kernels;
using Attend.Models;

namespace Attend.Cli.Commands;

/// <summary><c>attend generate</c>: continues a prompt with a decoder-only language model.</summary>
internal sealed class GenerateCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["generate"];

    public override string Summary => "Generate text from a prompt with a trained language model (sampling with temperature, top-k, top-p).";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("model", "Checkpoint folder of a decoder-only model.", ValueName: "DIR"),
        new("prompt", "The text to continue.", "\n", ValueName: "TEXT"),
        new("max-new-tokens", "Tokens to generate.", "200", ValueName: "N"),
        new("temperature", "Divide the logits by T; 0 is greedy.", "0.8", ValueName: "T"),
        new("top-k", "Sample among the k most probable tokens; 0 for all.", "0", ValueName: "K"),
        new("top-p", "Sample among the most probable tokens whose probability reaches p.", "1", ValueName: "P"),
        new("seed", "Seed of the sampler.", "1", ValueName: "S"),
        CommonOptions.Threads,
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        KernelThreads.Count = args.GetInt("threads", 1, 256);
        var (model, tokenizer) = LoadedModel.Load<DecoderOnlyTransformer>(args.Required("model"));
        string prompt = args.Required("prompt");
        int[] ids = tokenizer.EncodeToIds(prompt);
        if (ids.Length == 0)
            throw new CliException("the prompt encodes to no tokens; give at least one character");
        var options = new SamplingOptions
        {
            Temperature = (float)args.GetDouble("temperature", 0),
            TopK = args.GetInt("top-k", 0),
            TopP = (float)args.GetDouble("top-p", 0, 1),
            Seed = (ulong)args.GetInt("seed", 0),
        };
        int[] generated = Sampling.Generate(model, ids, args.GetInt("max-new-tokens", 0), options, model.Config.EosId);
        context.Out.WriteLine(prompt + tokenizer.Decode(generated, skipSpecialTokens: true));
        return 0;
    }
}
