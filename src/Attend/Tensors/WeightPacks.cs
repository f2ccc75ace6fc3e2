using System.Collections.Concurrent;
using Attend.Kernels;

namespace Attend.Tensors;

/// <summary>
/// The GEMM-packed copies of a parameter slab's weight matrices that inference reuses (as ONNX Runtime pre-packs its
/// weights), and the slab's write version that retires them. Every way the library gives to write the slab counts as a
/// write and changes the version: <see cref="Tensor.Data"/> of a parameter or a view of one, <see cref="ParameterStore.Values"/>
/// (the optimizer, the loaders, the data-parallel broadcast take it for each step), <see cref="ParameterStore.Build"/>. A pack
/// is used only while the version it was made under stands, so after any such write the next product packs afresh.
/// What no version can see is a writable span or array taken before a pack was made and written through after it.
/// </summary>
internal sealed class WeightPacks
{
    private readonly ConcurrentDictionary<(int Offset, int Rows, int Columns, GemmPath Path), (long Version, GemmPackedB Pack)> _packs = new();
    private long _version;
    private volatile bool _holding;

    /// <summary>Packed weights for inference on (the default) or off: benchmarks compare both in one process.</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>Changes with every write access to the slab.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The packs held, current or stale.</summary>
    public int Count => _packs.Count;

    /// <summary>Records a write access to the slab: every pack made before it is stale, and is let go.</summary>
    public void Written()
    {
        Interlocked.Increment(ref _version);
        if (_holding)
        {
            _holding = false;
            _packs.Clear();
        }
    }

    /// <summary>
    /// The weight W [rows, columns] that lies at <paramref name="offset"/> of <paramref name="slab"/>, packed as B^T (the
    /// product x W^T) for <paramref name="path"/>: the pack made under the current version, or a new one.
    /// </summary>
    public GemmPackedB Get(float[] slab, int offset, int rows, int columns, GemmPath path)
    {
        // Read before packing: a write that begins while this pack is made leaves it stamped stale.
        long version = Version;
        var key = (offset, rows, columns, path);
        if (_packs.TryGetValue(key, out var held) && held.Version == version)
            return held.Pack;
        GemmPackedB pack = GemmPackedB.Pack(path, transposeB: true, columns, rows, slab.AsSpan(offset, rows * columns), columns);
        _packs[key] = (version, pack);
        _holding = true;
        return pack;
    }
}
