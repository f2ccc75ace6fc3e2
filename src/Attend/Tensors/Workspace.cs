namespace Attend.Tensors;

/// <summary>
/// Reuses float buffers between training steps. Inside a <see cref="Scope"/>, the storage of every tensor an operation
/// creates (values, gradients and the operation's saved buffers) is rented from a pool by size class and returned when
/// the scope ends, so a steady-state step finds every buffer it needs already allocated. The tensor objects operations
/// create inside a scope (results and views) are pooled the same way, per thread: a warm training step allocates
/// nothing on the managed heap. Outside a scope, buffers and tensors are plain new objects owned by the garbage
/// collector. A tensor created inside a scope must not be used after it ends.
/// A pooled buffer that no outermost scope has rented for <see cref="IdleScopesBeforeDrop"/> scopes in a row is dropped,
/// so batches of changing shapes (each needing other size classes) do not pile up the union of all their buffers.
/// </summary>
public static class Workspace
{
    /// <summary>Outermost scopes a pooled buffer may sit unused before it goes back to the garbage collector.</summary>
    private const int IdleScopesBeforeDrop = 4;

    // Per size class, free buffers with the generation at which each came back; a list used as a stack, so the
    // generations grow from front to back and the idle ones are a prefix.
    private static readonly Dictionary<int, List<(float[] Buffer, long Generation)>> Pool = [];
    private static readonly Lock PoolLock = new();
    private static long _generation;
    private static long _droppedBytes;

    /// <summary>
    /// Dropped buffers are garbage the collector may leave in place for a long time when memory is plentiful (a
    /// Multi30k run grew to several GB so); after this many bytes dropped a full collection is asked for. Float arrays
    /// hold no references, so such a collection is cheap however large they are.
    /// </summary>
    private const long DroppedBytesBeforeCollect = 256L << 20;

    [ThreadStatic]
    private static HashSet<float[]>? t_rented;

    [ThreadStatic]
    private static Stack<HashSet<float[]>>? t_spareSets;

    // The tensor objects handed out in the current scope, the free ones of this thread, and spare lists for scopes.
    [ThreadStatic]
    private static List<Tensor>? t_tensors;

    [ThreadStatic]
    private static Stack<Tensor>? t_freeTensors;

    [ThreadStatic]
    private static Stack<List<Tensor>>? t_spareTensorLists;

    /// <summary>True when buffers are being rented on this thread.</summary>
    public static bool InScope => t_rented is not null;

    /// <summary>Starts renting on this thread; disposing the scope returns every buffer rented since.</summary>
    public static Scope Begin()
    {
        HashSet<float[]>? outer = t_rented;
        List<Tensor>? outerTensors = t_tensors;
        t_rented = t_spareSets is { Count: > 0 } spare ? spare.Pop() : new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        t_tensors = t_spareTensorLists is { Count: > 0 } spareLists ? spareLists.Pop() : [];
        return new Scope(outer, outerTensors);
    }

    /// <summary>A blank tensor object that the current scope hands back to this thread's pool when it ends; null outside a scope.</summary>
    internal static Tensor? TakeTensor()
    {
        if (t_tensors is not { } tensors)
            return null;
        Tensor t = t_freeTensors is { Count: > 0 } free ? free.Pop() : Tensor.Blank();
        tensors.Add(t);
        return t;
    }

    /// <summary>A buffer of at least <paramref name="length"/> floats: pooled inside a scope, else new. Zeroed when <paramref name="clear"/>.</summary>
    public static float[] Rent(int length, bool clear)
    {
        HashSet<float[]>? rented = t_rented;
        if (rented is null || length == 0)
            return clear ? new float[length] : GC.AllocateUninitializedArray<float>(length);
        int size = SizeClass(length);
        float[]? buffer = null;
        lock (PoolLock)
            buffer = PopLocked(size);
        buffer ??= GC.AllocateUninitializedArray<float>(size);
        if (clear)
            Array.Clear(buffer, 0, length);
        rented.Add(buffer);
        return buffer;
    }

    /// <summary>
    /// Gives a buffer rented in the current scope back to the pool before the scope ends (the backward pass does this
    /// once nothing reads a buffer any more, so a step's peak memory stays near its forward activations). Buffers not
    /// rented in the current scope are left alone. Returns true when the buffer went back to the pool.
    /// </summary>
    public static bool Release(float[] buffer)
    {
        if (t_rented is not { } rented || !rented.Remove(buffer))
            return false;
        ReturnUntracked(buffer);
        return true;
    }

    /// <summary>
    /// A pooled buffer of at least <paramref name="length"/> floats that no scope tracks: it stays valid until handed
    /// back with <see cref="ReturnUntracked"/> (storage that outlives the steps, such as a key/value cache's).
    /// </summary>
    internal static float[] RentUntracked(int length)
    {
        int size = SizeClass(Math.Max(1, length));
        float[]? buffer;
        lock (PoolLock)
            buffer = PopLocked(size);
        return buffer ?? GC.AllocateUninitializedArray<float>(size);
    }

    /// <summary>Gives a buffer from <see cref="RentUntracked"/> back to the pool; it must not be used afterwards.</summary>
    internal static void ReturnUntracked(float[] buffer)
    {
        lock (PoolLock)
            PushLocked(buffer);
    }

    /// <summary>Drops every free pooled buffer and asks for a full collection, so the memory is actually freed.</summary>
    public static void Trim()
    {
        lock (PoolLock)
        {
            Pool.Clear();
            _droppedBytes = 0;
        }
        CollectDropped();
    }

    /// <summary>Rounds up to one of eight sizes per power of two, so differently shaped batches share buffers (at most 12.5% unused).</summary>
    internal static int SizeClass(int length)
    {
        int top = 1 << (31 - int.LeadingZeroCount(length));
        if (top == length || top < 16)
            return length;
        int step = top / 8;
        return (length + step - 1) / step * step;
    }

    private static void PushLocked(float[] buffer)
    {
        if (!Pool.TryGetValue(buffer.Length, out List<(float[] Buffer, long Generation)>? free))
            Pool[buffer.Length] = free = [];
        free.Add((buffer, _generation));
    }

    // A free buffer of this size class or, failing that, of one of the eight classes above it (at most twice the
    // size): batches whose shapes change from step to step then reuse each other's buffers instead of each size class
    // keeping its own.
    private static float[]? PopLocked(int size)
    {
        for (int i = 0, sizeClass = size; i <= 8; i++, sizeClass = SizeClass(sizeClass + 1))
        {
            if (Pool.TryGetValue(sizeClass, out List<(float[] Buffer, long Generation)>? free) && free.Count > 0)
            {
                float[] buffer = free[^1].Buffer;
                free.RemoveAt(free.Count - 1);
                return buffer;
            }
            if (sizeClass > int.MaxValue / 2)
                break;
        }
        return null;
    }

    // A full, blocking collection, so dropped buffers are freed now rather than whenever the collector gets to them.
    private static void CollectDropped() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);

    // Ends a generation (an outermost scope) and drops the buffers idle for too many; true when enough bytes have been
    // dropped since the last collection to ask for one.
    private static bool EndGenerationLocked()
    {
        _generation++;
        long oldest = _generation - IdleScopesBeforeDrop;
        foreach (List<(float[] Buffer, long Generation)> free in Pool.Values)
        {
            int idle = 0;
            while (idle < free.Count && free[idle].Generation < oldest)
                _droppedBytes += free[idle++].Buffer.Length * (long)sizeof(float);
            if (idle > 0)
                free.RemoveRange(0, idle);
        }
        if (_droppedBytes < DroppedBytesBeforeCollect)
            return false;
        _droppedBytes = 0;
        return true;
    }

    /// <summary>The renting period started by <see cref="Begin"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly HashSet<float[]>? _outer;
        private readonly List<Tensor>? _outerTensors;

        internal Scope(HashSet<float[]>? outer, List<Tensor>? outerTensors) => (_outer, _outerTensors) = (outer, outerTensors);

        /// <summary>Returns the rented buffers and tensor objects to their pools and restores the enclosing scope.</summary>
        public void Dispose()
        {
            HashSet<float[]>? rented = t_rented;
            List<Tensor>? tensors = t_tensors;
            t_rented = _outer;
            t_tensors = _outerTensors;
            if (rented is null || tensors is null)
                return;
            Stack<Tensor> free = t_freeTensors ??= new Stack<Tensor>();
            foreach (Tensor t in tensors)
            {
                t.Recycle();
                free.Push(t);
            }
            tensors.Clear();
            (t_spareTensorLists ??= new Stack<List<Tensor>>()).Push(tensors);
            bool collect = false;
            lock (PoolLock)
            {
                foreach (float[] b in rented)
                    PushLocked(b);
                if (_outer is null)
                    collect = EndGenerationLocked();
            }
            if (collect)
                CollectDropped();
            rented.Clear();
            (t_spareSets ??= new Stack<HashSet<float[]>>()).Push(rented);
        }
    }
}
