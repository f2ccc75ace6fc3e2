namespace Attend.Inference;

/// <summary>A text encodes to more tokens than the model's context (max_len) holds, and truncation was not asked for.</summary>
public sealed class InputTooLongException : ArgumentException
{
    /// <summary>A text of <paramref name="tokens"/> tokens for a model of <paramref name="limit"/>.</summary>
    public InputTooLongException(int tokens, int limit)
        : base($"the input has {tokens} tokens, more than the model's max_len {limit}; shorten it or ask for truncation")
        => (Tokens, Limit) = (tokens, limit);

    /// <summary>Required by the exception pattern.</summary>
    public InputTooLongException() : this(0, 0)
    {
    }

    /// <summary>Required by the exception pattern.</summary>
    public InputTooLongException(string message) : base(message)
    {
    }

    /// <summary>Required by the exception pattern.</summary>
    public InputTooLongException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The input's length in tokens.</summary>
    public int Tokens { get; }

    /// <summary>The model's max_len.</summary>
    public int Limit { get; }
}
