using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Attend.Distributed;

/// <summary>
/// MPI_COMM_WORLD of the processes an MPI launcher started (<c>mpirun -np N ...</c>): this process's rank, their number,
/// and the collectives data-parallel training needs. Every call returns errors (MPI_ERRORS_RETURN) as
/// <see cref="MpiException"/>; calls from several threads are serialised (MPI_THREAD_SERIALIZED). A blocking call that
/// waits longer than <see cref="Timeout"/> for the other ranks ends the whole job with a message (a
/// watchdog thread): a rank that hangs or is lost never leaves the others waiting silently.
/// </summary>
public sealed unsafe class Communicator : IDisposable
{
    private static Communicator? s_world;
    private readonly MpiLibrary _mpi;
    private readonly Lock _serial = new();
    private long _callStarted;
    private string _callName = "";
    private CommunicationWatchdog? _watchdog;

    private Communicator(MpiLibrary mpi)
    {
        _mpi = mpi;
        int rank, size;
        mpi.Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        mpi.Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        (Rank, Size) = (rank, size);
        byte* name = stackalloc byte[MpiLibrary.MaxString + 1];
        int length = 0;
        mpi.Check(mpi.ProcessorName(name, &length), "MPI_Get_processor_name");
        Host = System.Text.Encoding.UTF8.GetString(name, Math.Clamp(length, 0, MpiLibrary.MaxString));
    }

    /// <summary>True when an MPI launcher (Open MPI's mpirun) started this process (it sets OMPI_COMM_WORLD_SIZE).</summary>
    public static bool IsLaunchedByMpi => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 };

    /// <summary>The number of ranks the launcher placed on this machine (1 without a launcher).</summary>
    public static int LocalSize =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int n) && n > 0 ? n : 1;

    /// <summary>This process's rank, 0 .. Size - 1.</summary>
    public int Rank { get; }

    /// <summary>The number of processes.</summary>
    public int Size { get; }

    /// <summary>The machine's name as MPI reports it.</summary>
    public string Host { get; }

    /// <summary>"rank R of N (host)", for messages.</summary>
    public string Name => $"rank {Rank} of {Size} ({Host})";

    /// <summary>
    /// The longest a blocking call may wait for the other ranks before the job is ended (infinite by default). Setting
    /// a finite value starts the watchdog thread.
    /// </summary>
    public TimeSpan Timeout
    {
        get => _watchdog?.Timeout ?? System.Threading.Timeout.InfiniteTimeSpan;
        set
        {
            if (value != System.Threading.Timeout.InfiniteTimeSpan && value <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(value), "the timeout must be positive (or infinite)");
            _watchdog ??= new CommunicationWatchdog(this);
            _watchdog.Timeout = value;
        }
    }

    /// <summary>Where the watchdog writes its one line before ending the job (standard error by default).</summary>
    public Action<string> Report { get; set; } = line => Console.Error.WriteLine(line);

    /// <summary>
    /// Initialises MPI (once per process) and returns MPI_COMM_WORLD; MPI is finalised when it is disposed. Loads
    /// libmpi.so.40, or the library that ATTEND_MPI_LIBRARY names.
    /// </summary>
    public static Communicator World()
    {
        if (s_world is not null)
            return s_world;
        MpiLibrary mpi = MpiLibrary.Load();
        int initialized = 0, provided = 0;
        mpi.Check(mpi.Initialized(&initialized), "MPI_Initialized");
        if (initialized == 0)
        {
            int code = mpi.InitThread(null, null, MpiLibrary.ThreadSerialized, &provided);
            if (code != 0)
                throw new MpiException($"MPI_Init_thread failed (MPI error {code}); was this process started by mpirun?", code);
            if (provided < MpiLibrary.ThreadSerialized)
                throw new MpiException($"the MPI library provides thread level {provided}; Attend needs MPI_THREAD_SERIALIZED ({MpiLibrary.ThreadSerialized})");
        }
        mpi.Check(mpi.CommSetErrhandler(mpi.CommWorld, mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
        return s_world = new Communicator(mpi);
    }

    /// <summary>Sums <paramref name="values"/> element-wise across all ranks, in place (MPI_Allreduce with MPI_IN_PLACE).</summary>
    public void AllReduceSum(Span<float> values, string what = "allreduce")
    {
        fixed (float* p = values)
            for (int at = 0; at < values.Length; at += int.MaxValue / 2)
            {
                int n = Math.Min(int.MaxValue / 2, values.Length - at);
                using (Enter(what))
                    Check(_mpi.Allreduce(MpiLibrary.InPlace, p + at, n, _mpi.Float, _mpi.Sum, _mpi.CommWorld), "MPI_Allreduce", what);
            }
    }

    /// <summary>Sums <paramref name="values"/> element-wise across all ranks, in place.</summary>
    public void AllReduceSum(Span<double> values, string what = "allreduce")
    {
        fixed (double* p = values)
            using (Enter(what))
                Check(_mpi.Allreduce(MpiLibrary.InPlace, p, values.Length, _mpi.Double, _mpi.Sum, _mpi.CommWorld), "MPI_Allreduce", what);
    }

    /// <summary>Every rank's <paramref name="value"/>, indexed by rank.</summary>
    public ulong[] AllGather(ulong value, string what = "allgather")
    {
        ulong[] all = new ulong[Size];
        fixed (ulong* p = all)
            using (Enter(what))
                Check(_mpi.Allgather(&value, 1, _mpi.UInt64, p, 1, _mpi.UInt64, _mpi.CommWorld), "MPI_Allgather", what);
        return all;
    }

    /// <summary>Copies <paramref name="values"/> of rank <paramref name="root"/> into the same span on every other rank.</summary>
    public void Broadcast<T>(Span<T> values, int root = 0, string what = "broadcast") where T : unmanaged
    {
        if ((uint)root >= (uint)Size)
            throw new ArgumentOutOfRangeException(nameof(root), $"root {root} is not a rank of {Size}");
        fixed (T* p = values)
        {
            long total = (long)values.Length * sizeof(T);
            for (long at = 0; at < total; at += 1 << 30)
                using (Enter(what))
                    Check(_mpi.Bcast((byte*)p + at, (int)Math.Min(1 << 30, total - at), _mpi.Byte, root, _mpi.CommWorld), "MPI_Bcast", what);
        }
    }

    /// <summary>The bytes of rank <paramref name="root"/> (its <paramref name="bytes"/>; the others pass null) on every rank.</summary>
    public byte[] Broadcast(byte[]? bytes, int root = 0, string what = "broadcast")
    {
        if (Rank == root)
            ArgumentNullException.ThrowIfNull(bytes);
        long[] length = [Rank == root ? bytes!.LongLength : 0];
        Broadcast<long>(length, root, what);
        byte[] result = Rank == root ? bytes! : new byte[length[0]];
        Broadcast<byte>(result, root, what);
        return result;
    }

    /// <summary>Waits until every rank has called it.</summary>
    public void Barrier(string what = "barrier")
    {
        using (Enter(what))
            Check(_mpi.Barrier(_mpi.CommWorld), "MPI_Barrier", what);
    }

    /// <summary>Ends every process of the job with <paramref name="code"/> (MPI_Abort); does not return.</summary>
    [DoesNotReturn]
    public void Abort(int code)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        _mpi.Abort(_mpi.CommWorld, code);
        // MPI_Abort returned (it should not): leave without running finalizers that could block in MPI
        Environment.FailFast($"MPI_Abort returned on {Name}");
    }

    /// <summary>Finalises MPI (every rank must call it).</summary>
    public void Dispose()
    {
        _watchdog?.Dispose();
        _watchdog = null;
        int finalized = 0;
        _mpi.Check(_mpi.Finalized(&finalized), "MPI_Finalized");
        if (finalized == 0)
            lock (_serial)
                _mpi.Check(_mpi.FinalizeMpi(), "MPI_Finalize");
    }

    /// <summary>The blocking call in progress and since when (a Stopwatch timestamp), or 0 when none.</summary>
    internal (long Started, string Name) CurrentCall => (Volatile.Read(ref _callStarted), _callName);

    // One MPI call at a time (MPI_THREAD_SERIALIZED), timed for the watchdog while it runs.
    private CallScope Enter(string what)
    {
        Lock.Scope held = _serial.EnterScope();
        _callName = what;
        Volatile.Write(ref _callStarted, Stopwatch.GetTimestamp());
        return new CallScope(this, held);
    }

    private void Check(int code, string function, string what)
    {
        if (code != 0)
            _mpi.Check(code, $"{function} ({what}) on {Name}");
    }

    private ref struct CallScope(Communicator owner, Lock.Scope held)
    {
        private Lock.Scope _held = held;

        public void Dispose()
        {
            Volatile.Write(ref owner._callStarted, 0);
            _held.Dispose();
        }
    }
}
