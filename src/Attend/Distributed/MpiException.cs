namespace Attend.Distributed;

/// <summary>An MPI call that failed (returned with MPI_ERRORS_RETURN in effect), or an MPI library that cannot be used.</summary>
public sealed class MpiException : Exception
{
    /// <summary>An error with MPI's own message and error code.</summary>
    public MpiException(string message, int errorCode)
        : base(message) => ErrorCode = errorCode;

    /// <summary>An error without an MPI error code (the library could not be loaded or resolved).</summary>
    public MpiException(string message)
        : base(message)
    {
    }

    /// <summary>An error caused by <paramref name="inner"/>.</summary>
    public MpiException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>An error without a message.</summary>
    public MpiException()
    {
    }

    /// <summary>The MPI error code (0 when the library itself could not be loaded or resolved).</summary>
    public int ErrorCode { get; }
}
