using Attend.IO;
using Attend.Models;
using Attend.Tokenization;

namespace Attend.Cli.Inference;

/// <summary>A checkpoint folder's model and tokenizer, loaded with the family the verb needs.</summary>
internal static class LoadedModel
{
    public static (T Model, Tokenizer Tokenizer) Load<T>(string directory) where T : class, ITransformerModel
    {
        T model = Checkpoint.LoadModel<T>(directory);
        return (model, Checkpoint.LoadTokenizer(directory, model.Config));
    }
}
