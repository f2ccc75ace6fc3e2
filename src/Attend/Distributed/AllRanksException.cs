namespace Attend.Distributed;

/// <summary>
/// An error that every rank raises alike, because it follows from values the ranks agree on (a reduced loss that is not
/// finite, parameter hashes compared across ranks): the ranks stop together, rank 0 reports it, and nothing needs
/// MPI_Abort. Any other exception on one rank is that rank's alone and ends the job through <see cref="Communicator.Abort"/>.
/// </summary>
public sealed class AllRanksException : InvalidOperationException
{
    /// <summary>An error all ranks raise with the same message.</summary>
    public AllRanksException(string message)
        : base(message)
    {
    }

    /// <summary>An error all ranks raise, caused by <paramref name="inner"/>.</summary>
    public AllRanksException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>An error without a message.</summary>
    public AllRanksException()
    {
    }
}
