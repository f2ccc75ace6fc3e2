namespace Attend.Kernels;

/// <summary>
/// op(B) packed once into the zero-padded micro-panels that a packed path's kernel reads, laid out in the order
/// <see cref="GemmPacked"/> visits them: for each KC-deep slice of k, the NR-wide panels of all n columns. A weight matrix
/// that many products share (inference) is packed once instead of once per product, as ONNX Runtime pre-packs its
/// weights; a product with it runs the same kernel on the same panel values, so its result is bit-identical to the
/// product that packs B itself. The pack is a snapshot: it knows nothing of later writes to the matrix it came from.
/// </summary>
internal sealed unsafe class GemmPackedB
{
    private const int Alignment = 64;

    // Pinned, so the aligned pointer into it stays valid for the life of the object.
    private readonly float[] _panels;
    private readonly float* _start;

    private GemmPackedB(GemmPath path, bool transposeB, int depth, int columns, int panelColumns)
    {
        Path = path;
        TransposeB = transposeB;
        Depth = depth;
        Columns = columns;
        PaddedColumns = (columns + panelColumns - 1) / panelColumns * panelColumns;
        long floats = (long)PaddedColumns * depth + GemmPacking.Slack + Alignment / sizeof(float);
        if (floats > Array.MaxLength)
            throw new ArgumentException($"Gemm: a packed {depth} x {columns} matrix exceeds one array");
        _panels = GC.AllocateUninitializedArray<float>((int)floats, pinned: true);
        fixed (float* p = _panels)
            _start = (float*)(((nint)p + Alignment - 1) & ~(nint)(Alignment - 1));
    }

    /// <summary>The packed path whose kernel reads these panels.</summary>
    public GemmPath Path { get; }

    /// <summary>True when the source was stored as B^T (n x k, a weight [out, in]).</summary>
    public bool TransposeB { get; }

    /// <summary>k: the rows of op(B).</summary>
    public int Depth { get; }

    /// <summary>n: the columns of op(B).</summary>
    public int Columns { get; }

    /// <summary>n rounded up to whole panels.</summary>
    internal int PaddedColumns { get; }

    /// <summary>The panels of the k slice that starts at step <paramref name="p0"/> (a multiple of the slice depth).</summary>
    internal float* Slice(int p0) => _start + (nint)p0 * PaddedColumns;

    /// <summary>
    /// Packs op(B) (k x n; stored k x n, or n x k when <paramref name="transposeB"/>, rows <paramref name="ldb"/> apart)
    /// for <paramref name="path"/>, a packed path this machine can run.
    /// </summary>
    public static GemmPackedB Pack(GemmPath path, bool transposeB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        if (k < 0 || n < 0)
            throw new ArgumentException($"Gemm: negative size n={n} k={k}");
        if (!GemmPacked.IsSupported(path))
            throw new PlatformNotSupportedException($"Gemm: path {path} needs instructions this machine lacks, or is not a packed path");
        GemmArguments.CheckMatrix("B", b.Length, transposeB ? n : k, transposeB ? k : n, ldb);
        var packed = new GemmPackedB(path, transposeB, k, n, GemmPacked.PanelColumns(path));
        if (n == 0)
            return packed;
        fixed (float* pb = b)
        {
            for (int pc = 0; pc < k; pc += GemmPacked.BlockDepth)
            {
                int kc = Math.Min(GemmPacked.BlockDepth, k - pc);
                GemmPacking.PackB(transposeB, pb, ldb, 0, n, pc, kc, GemmPacked.PanelColumns(path), packed.Slice(pc));
            }
        }
        return packed;
    }
}
