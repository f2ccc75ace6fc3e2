using System.Runtime.CompilerServices;
using Attend.Decoding;
using Attend.Tokenization;

namespace Attend.Inference;

/// <summary>A piece of generated text; the last one of a reply carries the finish reason and the count of tokens generated.</summary>
public readonly record struct TextPiece(string Text, FinishReason? Finish, int Tokens);

/// <summary>Generated tokens as text pieces: a <see cref="TextGenerator"/>'s stream through a <see cref="TextStream"/>.</summary>
public static class TextPieces
{
    /// <summary>
    /// Continues <paramref name="prompt"/> with <paramref name="generator"/> (stop token: the model's eos), yielding text as
    /// it becomes final; the reply ends at eos (<see cref="FinishReason.Stop"/>), at any of <paramref name="stopSequences"/>
    /// (Stop, the sequence itself left out), or at the token limit or a full context (<see cref="FinishReason.Length"/>).
    /// </summary>
    public static async IAsyncEnumerable<TextPiece> StreamAsync(TextGenerator generator, Tokenizer tokenizer, int[] prompt, int maxNewTokens,
        SamplingOptions options, IEnumerable<string> stopSequences, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stream = new TextStream(tokenizer, stopSequences);
        FinishReason finish = FinishReason.Length;
        await foreach (GeneratedToken token in generator.GenerateAsync(prompt, maxNewTokens, options, generator.Model.Config.EosId, cancellationToken)
                           .ConfigureAwait(false))
        {
            if (token.Finish is FinishReason reason)
            {
                finish = reason;
                break;
            }
            string piece = stream.Push(token.Id);
            if (stream.Stopped)
            {
                finish = FinishReason.Stop;   // leaving the loop ends the generation and frees its cache
                yield return new TextPiece(piece, finish, stream.TokenCount);
                yield break;
            }
            if (piece.Length > 0)
                yield return new TextPiece(piece, null, stream.TokenCount);
        }
        yield return new TextPiece(stream.Flush(), finish, stream.TokenCount);
    }
}
