namespace Attend.Tensors;

/// <summary>
/// Reuses float buffers between training steps. Inside a <see cref="Scope"/>, the storage of every tensor an operation
/// creates (values, gradients and the operation's saved buffers) is rented from a pool by size class and returned when
/// the scope ends, so a steady-state step finds every buffer it needs already allocated. Outside a scope, buffers are
/// plain new arrays owned by the garbage collector. A tensor created inside a scope must not be used after it ends.
/// </summary>
public static class Workspace
{
    private static readonly Dictionary<int, Stack<float[]>> Pool = [];
    private static readonly Lock PoolLock = new();

    [ThreadStatic]
    private static List<float[]>? t_rented;

    /// <summary>True when buffers are being rented on this thread.</summary>
    public static bool InScope => t_rented is not null;

    /// <summary>Starts renting on this thread; disposing the scope returns every buffer rented since.</summary>
    public static Scope Begin()
    {
        List<float[]>? outer = t_rented;
        t_rented = [];
        return new Scope(outer);
    }

    /// <summary>A buffer of at least <paramref name="length"/> floats: pooled inside a scope, else new. Zeroed when <paramref name="clear"/>.</summary>
    public static float[] Rent(int length, bool clear)
    {
        List<float[]>? rented = t_rented;
        if (rented is null || length < 1024)
            return clear ? new float[length] : GC.AllocateUninitializedArray<float>(length);
        int size = SizeClass(length);
        float[]? buffer = null;
        lock (PoolLock)
        {
            if (Pool.TryGetValue(size, out Stack<float[]>? stack) && stack.Count > 0)
                buffer = stack.Pop();
        }
        buffer ??= GC.AllocateUninitializedArray<float>(size);
        if (clear)
            Array.Clear(buffer, 0, length);
        rented.Add(buffer);
        return buffer;
    }

    /// <summary>Drops every pooled buffer (the memory goes back to the garbage collector).</summary>
    public static void Trim()
    {
        lock (PoolLock)
            Pool.Clear();
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

    /// <summary>The renting period started by <see cref="Begin"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly List<float[]>? _outer;

        internal Scope(List<float[]>? outer) => _outer = outer;

        /// <summary>Returns the rented buffers to the pool and restores the enclosing scope.</summary>
        public void Dispose()
        {
            List<float[]>? rented = t_rented;
            t_rented = _outer;
            if (rented is null)
                return;
            lock (PoolLock)
            {
                foreach (float[] b in rented)
                {
                    if (!Pool.TryGetValue(b.Length, out Stack<float[]>? stack))
                        Pool[b.Length] = stack = new Stack<float[]>();
                    stack.Push(b);
                }
            }
        }
    }
}
