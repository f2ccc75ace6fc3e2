using System.Runtime.InteropServices;

namespace Attend.Distributed;

/// <summary>
/// The Open MPI C library, loaded at run time: its functions as unmanaged function pointers and its predefined handles
/// (in Open MPI a handle is the address of a global object: MPI_COMM_WORLD is &amp;ompi_mpi_comm_world), all resolved by
/// name, so the binding needs no native asset, no marshalling stubs and works under the JIT and Native AOT alike.
/// </summary>
/// <remarks>
/// Loaded only when a <see cref="Communicator"/> is created, so a single-process run never touches libmpi. The library
/// is <c>libmpi.so.40</c> (Open MPI 3.x to 5.x) unless the environment variable ATTEND_MPI_LIBRARY names another path.
/// </remarks>
internal sealed unsafe class MpiLibrary
{
    /// <summary>The environment variable that overrides the library's path.</summary>
    public const string PathVariable = "ATTEND_MPI_LIBRARY";

    /// <summary>MPI_THREAD_SERIALIZED: any thread may call MPI, never two at once.</summary>
    public const int ThreadSerialized = 2;

    /// <summary>MPI_MAX_ERROR_STRING and MPI_MAX_PROCESSOR_NAME of Open MPI.</summary>
    public const int MaxString = 256;

    /// <summary>MPI_IN_PLACE: the send buffer argument that makes a collective work in the receive buffer.</summary>
    public static readonly void* InPlace = (void*)1;

    private static MpiLibrary? s_loaded;
    private static readonly Lock s_loadLock = new();

    private MpiLibrary(nint handle, string path)
    {
        Path = path;
        nint Function(string name) => NativeLibrary.TryGetExport(handle, name, out nint address)
            ? address
            : throw new MpiException($"{path} has no function {name}: it is not an MPI library (set {PathVariable} to Open MPI's libmpi.so.40)");
        nint Handle(string name) => NativeLibrary.TryGetExport(handle, name, out nint address)
            ? address
            : throw new MpiException($"{path} has no global {name}: it is not Open MPI's libmpi (MPICH and others name their handles differently)");

        InitThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Function("MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Function("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Function("MPI_Finalized");
        FinalizeMpi = (delegate* unmanaged<int>)Function("MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)Function("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Function("MPI_Comm_size");
        CommSetErrhandler = (delegate* unmanaged<nint, nint, int>)Function("MPI_Comm_set_errhandler");
        Allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Function("MPI_Allreduce");
        Bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Function("MPI_Bcast");
        Allgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int>)Function("MPI_Allgather");
        Barrier = (delegate* unmanaged<nint, int>)Function("MPI_Barrier");
        Abort = (delegate* unmanaged<nint, int, int>)Function("MPI_Abort");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Function("MPI_Error_string");
        ProcessorName = (delegate* unmanaged<byte*, int*, int>)Function("MPI_Get_processor_name");

        CommWorld = Handle("ompi_mpi_comm_world");
        ErrorsReturn = Handle("ompi_mpi_errors_return");
        Float = Handle("ompi_mpi_float");
        Double = Handle("ompi_mpi_double");
        Byte = Handle("ompi_mpi_byte");
        UInt64 = Handle("ompi_mpi_uint64_t");
        Sum = Handle("ompi_mpi_op_sum");
        Max = Handle("ompi_mpi_op_max");
    }

    /// <summary>The path the library was loaded from.</summary>
    public string Path { get; }

    public readonly delegate* unmanaged<int*, byte***, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int*, int> Initialized;
    public readonly delegate* unmanaged<int*, int> Finalized;
    public readonly delegate* unmanaged<int> FinalizeMpi;
    public readonly delegate* unmanaged<nint, int*, int> CommRank;
    public readonly delegate* unmanaged<nint, int*, int> CommSize;
    public readonly delegate* unmanaged<nint, nint, int> CommSetErrhandler;
    public readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> Allreduce;
    public readonly delegate* unmanaged<void*, int, nint, int, nint, int> Bcast;
    public readonly delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int> Allgather;
    public readonly delegate* unmanaged<nint, int> Barrier;
    public readonly delegate* unmanaged<nint, int, int> Abort;
    public readonly delegate* unmanaged<int, byte*, int*, int> ErrorString;
    public readonly delegate* unmanaged<byte*, int*, int> ProcessorName;

    /// <summary>MPI_COMM_WORLD, MPI_ERRORS_RETURN, the datatypes and operations used here.</summary>
    public readonly nint CommWorld, ErrorsReturn, Float, Double, Byte, UInt64, Sum, Max;

    /// <summary>The library, loaded on first use (from ATTEND_MPI_LIBRARY or libmpi.so.40).</summary>
    public static MpiLibrary Load()
    {
        lock (s_loadLock)
        {
            if (s_loaded is not null)
                return s_loaded;
            string path = Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } p ? p : "libmpi.so.40";
            if (!NativeLibrary.TryLoad(path, out nint handle))
                throw new MpiException($"cannot load the MPI library '{path}': install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) or set {PathVariable} to its libmpi.so.40");
            return s_loaded = new MpiLibrary(handle, path);
        }
    }

    /// <summary>Throws an <see cref="MpiException"/> carrying MPI's own message unless <paramref name="code"/> is MPI_SUCCESS.</summary>
    public void Check(int code, string call)
    {
        if (code == 0)
            return;
        byte* text = stackalloc byte[MaxString + 1];
        int length = 0;
        string message = ErrorString(code, text, &length) == 0 ? System.Text.Encoding.UTF8.GetString(text, Math.Clamp(length, 0, MaxString)) : "unknown error";
        throw new MpiException($"{call} failed: {message} (MPI error {code})", code);
    }
}
