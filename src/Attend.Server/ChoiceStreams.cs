using System.Threading.Channels;

namespace Attend.Server;

/// <summary>A piece of one choice's text; the last piece of a choice carries its finish reason and token counts.</summary>
internal readonly record struct ChoicePiece(int Index, string Text, string? Finish, int PromptTokens, int Tokens);

/// <summary>
/// Runs the choices of one request side by side (they join the model's running batch together). Each choice's first
/// piece is awaited before anything is sent, so a refusal (queue full, prompt too long) still becomes an HTTP error.
/// </summary>
internal sealed class ChoiceStreams : IAsyncDisposable
{
    private readonly List<IAsyncEnumerator<ChoicePiece>> _choices;
    private readonly ChoicePiece[] _first;
    private Task? _pump;

    private ChoiceStreams(List<IAsyncEnumerator<ChoicePiece>> choices, ChoicePiece[] first) => (_choices, _first) = (choices, first);

    public static async Task<ChoiceStreams> Start(IReadOnlyList<IAsyncEnumerable<ChoicePiece>> sources, CancellationToken cancellationToken)
    {
        var choices = sources.Select(s => s.GetAsyncEnumerator(cancellationToken)).ToList();
        try
        {
            var first = new ChoicePiece[choices.Count];
            Task<bool>[] started = choices.Select(c => c.MoveNextAsync().AsTask()).ToArray();
            try
            {
                await Task.WhenAll(started).ConfigureAwait(false);
            }
            catch
            {
                // Every choice has settled; rethrow the first failure in request order.
                foreach (Task<bool> t in started)
                    if (t.IsFaulted)
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(t.Exception!.InnerException!).Throw();
                throw;
            }
            for (int i = 0; i < choices.Count; i++)
                first[i] = started[i].Result ? choices[i].Current : throw new InvalidOperationException("a choice ended without a finish reason");
            return new ChoiceStreams(choices, first);
        }
        catch
        {
            foreach (var c in choices)
                await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Every choice to its end: the joined text, the finish reason, the token counts.</summary>
    public async Task<(string Text, string Finish, int PromptTokens, int Tokens)[]> CollectAll() =>
        await Task.WhenAll(_choices.Select(async (c, i) =>
        {
            var text = new System.Text.StringBuilder();
            ChoicePiece piece = _first[i];
            while (true)
            {
                text.Append(piece.Text);
                if (piece.Finish is not null)
                    return (text.ToString(), piece.Finish, piece.PromptTokens, piece.Tokens);
                if (!await c.MoveNextAsync().ConfigureAwait(false))
                    throw new InvalidOperationException("a choice ended without a finish reason");
                piece = c.Current;
            }
        })).ConfigureAwait(false);

    /// <summary>The pieces of all choices in the order they arrive.</summary>
    public async IAsyncEnumerable<ChoicePiece> Interleaved()
    {
        var channel = Channel.CreateUnbounded<ChoicePiece>();
        Task pump = _pump = Task.WhenAll(_choices.Select(async (c, i) =>
        {
            ChoicePiece piece = _first[i];
            await channel.Writer.WriteAsync(piece).ConfigureAwait(false);
            while (piece.Finish is null && await c.MoveNextAsync().ConfigureAwait(false))
            {
                piece = c.Current;
                await channel.Writer.WriteAsync(piece).ConfigureAwait(false);
            }
        })).ContinueWith(t => channel.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        await foreach (ChoicePiece piece in channel.Reader.ReadAllAsync().ConfigureAwait(false))
            yield return piece;
        await pump.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pump is not null)
        {
            try
            {
                await _pump.ConfigureAwait(false);   // the choices stop on the request's cancellation; wait before disposing them
            }
            catch (OperationCanceledException)
            {
            }
        }
        foreach (var c in _choices)
            await c.DisposeAsync().ConfigureAwait(false);
    }
}
