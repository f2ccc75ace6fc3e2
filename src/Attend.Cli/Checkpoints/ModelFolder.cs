using Attend.Models;
using Attend.Tokenization;

namespace Attend.Cli.Checkpoints;

/// <summary>A checkpoint folder: config.json, tokenizer.json and model.safetensors.</summary>
internal static class ModelFolder
{
    public static void Save(string directory, ITransformerModel model, BpeTokenizer tokenizer)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, "config.json"), s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false));
            w.Write(model.Config.ToJson());
        });
        tokenizer.SaveTokenizerJson(Path.Combine(directory, "tokenizer.json"));
    }
}
