using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// The BLIS-style product: for each NC-wide column block and KC-deep slice, and each MC-high row block, run the
/// micro-kernel over every micro-tile, packing the slice of op(B) into panels as the first row block reaches them (or
/// reading them from a <see cref="GemmPackedB"/> that holds them all, packed beforehand). The
/// kernel reads full 6-row panels of A where they lie (row-major A, or stored A^T for a narrow C), through A's strides;
/// only a last partial panel, and stored A^T of a wide product, are packed. Beta is applied by the first slice only;
/// later slices accumulate. Threads split the rows in whole micro-tiles, or the columns in whole micro-panels when C is
/// wider than high (then each thread packs only its share of B, the larger operand). Either way every C element is
/// computed by one thread with the same k order, so the result does not depend on the thread count.
/// </summary>
internal sealed unsafe class GemmPacked : KernelJob
{
    private const int BlockRows = 144;   // MC: a packed A block (MC x KC) stays in L2
    /// <summary>KC: a B micro-panel (KC x NR) stays in L1; <see cref="GemmPackedB"/> packs in slices this deep.</summary>
    internal const int BlockDepth = 256;
    private const int BlockColumns = 4080; // NC: the packed B block (KC x NC) stays in L3

    // B is packed this many columns at a time just ahead of the kernel: enough that the source rows stream (whole
    // rows of 256 floats), few enough that the packed group (256 KiB at KC = 256) is still in L2 when it is read.
    private const int PackGroupColumns = 256;

    // Stored A^T is read in place (each k step's row values lie side by side) only for a part this narrow: a packed
    // panel serves every column panel of B, and from about 8 of them (256 columns at 32) packing pays for itself.
    private const int InPlaceTransposedColumns = 128;

    [ThreadStatic] private static GemmPacked? _cached;

    /// <summary>Partial row tiles computed on their own rows (the default), or as full tiles on a copy: benchmarks compare both.</summary>
    internal static bool PartialTiles { get; set; } = true;

    /// <summary>Tiles over pre-packed B prefetch the next panel (the default), or not: benchmarks compare both.</summary>
    internal static bool PrefetchPackedB { get; set; } = true;

    private delegate*<int, float*, nint, nint, float*, float*, nint, float, float, void> _kernel;
    // The kernel for a tile's first rows only (null: partial tiles run the full kernel on a copy).
    private delegate*<int, int, float*, nint, nint, float*, float*, nint, float, float, void> _rowsKernel;
    // The kernel that also prefetches the next pre-packed B panel (null: the path has none); it takes partial row
    // tiles only where the path has a rows kernel.
    private delegate*<int, int, float*, nint, nint, float*, float*, nint, float, float, float*, int, void> _prefetchingKernel;
    private int _mr, _nr, _parts;
    private bool _splitColumns;
    private bool _transposeA, _transposeB;
    private bool _aInPlace;
    // A partial row tile reads A in place too: the rows kernel reads only its live rows, and no column edge tile (which
    // runs the full kernel on a copy, reading all mr rows) exists to need a packed panel.
    private bool _partialInPlace;
    private int _m, _n, _k;
    private float _alpha, _beta;
    private float* _a, _b, _c;
    // A bias row added to every row of C (null: none); the first slice's tiles start from it with beta 1.
    private float* _bias;
    private nint _lda, _ldb, _ldc;
    private GemmPackedB? _packedB;

    /// <summary>C = alpha * op(A) op(B) + beta * C with the packed kernel of <paramref name="path"/> on up to <paramref name="threads"/> threads.</summary>
    public static void Multiply(
        GemmPath path, int threads, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc) =>
        Run(path, threads, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, null, null, beta, c, ldc);

    /// <summary>
    /// C = alpha * op(A) B + beta * C, with B packed beforehand for its path; B's panels are read, never written. With a
    /// <paramref name="bias"/> (n values; then beta is 0), C = alpha * op(A) B + bias on every row: each tile is filled
    /// with the bias just before its first slice, which then accumulates onto it as with beta 1, so the result is bit for
    /// bit that of copying the bias into every row of C first and multiplying with beta 1, without a pass over C.
    /// </summary>
    public static void Multiply(int threads, bool transposeA, int m, float alpha, float* a, int lda, GemmPackedB b, float* bias, float beta, float* c, int ldc) =>
        Run(b.Path, threads, transposeA, b.TransposeB, m, b.Columns, b.Depth, alpha, a, lda, null, 0, b, bias, beta, c, ldc);

    /// <summary>NR: the columns of a B panel that the kernel of <paramref name="path"/> reads.</summary>
    public static int PanelColumns(GemmPath path) => path switch
    {
        GemmPath.PackedAvx512 => GemmKernelAvx512.Columns,
        GemmPath.PackedAvx2 => GemmKernelAvx2.Columns,
        GemmPath.PackedVector128 => GemmKernelVector128.Columns,
        GemmPath.PackedScalar => GemmKernelScalar.Columns,
        _ => throw new ArgumentOutOfRangeException(nameof(path), path, "not a packed path"),
    };

    private static void Run(
        GemmPath path, int threads, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, GemmPackedB? packedB, float* bias, float beta, float* c, int ldc)
    {
        GemmPacked job = _cached ??= new GemmPacked();
        switch (path)
        {
            case GemmPath.PackedAvx512:
                job.Use(&GemmKernelAvx512.Run, GemmKernelAvx512.Rows, GemmKernelAvx512.Columns);
                if (PartialTiles)
                    job._rowsKernel = &GemmKernelAvx512.RunRows;
                if (PrefetchPackedB)
                    job._prefetchingKernel = &GemmKernelAvx512.RunRowsPrefetching;
                break;
            case GemmPath.PackedAvx2:
                job.Use(&GemmKernelAvx2.Run, GemmKernelAvx2.Rows, GemmKernelAvx2.Columns);
                if (PrefetchPackedB)
                    job._prefetchingKernel = &GemmKernelAvx2.RunPrefetching;
                break;
            case GemmPath.PackedVector128:
                job.Use(&GemmKernelVector128.Run, GemmKernelVector128.Rows, GemmKernelVector128.Columns);
                break;
            case GemmPath.PackedScalar:
                job.Use(&GemmKernelScalar.Run, GemmKernelScalar.Rows, GemmKernelScalar.Columns);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(path), path, "not a packed path");
        }
        job._transposeA = transposeA;
        job._transposeB = transposeB;
        (job._m, job._n, job._k) = (m, n, k);
        (job._alpha, job._beta) = (alpha, beta);
        job._a = a;
        job._b = b;
        job._packedB = packedB;
        job._c = c;
        job._bias = bias;
        (job._lda, job._ldb, job._ldc) = (lda, ldb, ldc);
        job._splitColumns = n > m;
        int units = job._splitColumns ? (n + job._nr - 1) / job._nr : (m + job._mr - 1) / job._mr;
        job._parts = Math.Clamp(units, 1, threads);
        job._aInPlace = !transposeA || job.LargestPart().Columns <= InPlaceTransposedColumns;
        job._partialInPlace = job._aInPlace && job._rowsKernel is not null && n % job._nr == 0;
        // Which thread runs which part depends on timing, so the caller sizes its packing buffers for any part now:
        // growing them later, in a part it happens to run for the first time, would allocate in the steady state.
        (int maxRows, int maxColumns) = job.LargestPart();
        job.Scratch(maxRows, maxColumns, out _, out _, out _);
        try
        {
            KernelWorkers.Run(job, job._parts);
        }
        finally
        {
            job._a = job._b = job._c = job._bias = null;
            job._packedB = null;
        }
    }

    /// <summary>True when the packed path can run on this machine.</summary>
    public static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.PackedAvx512 => Avx512F.IsSupported && Fma.IsSupported,
        GemmPath.PackedAvx2 => Avx2.IsSupported && Fma.IsSupported,
        GemmPath.PackedVector128 or GemmPath.PackedScalar => true,
        _ => false,
    };

    private void Use(delegate*<int, float*, nint, nint, float*, float*, nint, float, float, void> kernel, int mr, int nr)
    {
        _kernel = kernel;
        _rowsKernel = null;
        _prefetchingKernel = null;
        _mr = mr;
        _nr = nr;
    }

    public override void Execute(int part)
    {
        int unit = _splitColumns ? _nr : _mr, extent = _splitColumns ? _n : _m;
        int units = (extent + unit - 1) / unit;
        int first = (int)((long)units * part / _parts) * unit;
        int last = Math.Min(extent, (int)((long)units * (part + 1) / _parts) * unit);
        if (first >= last)
            return;
        if (_splitColumns)
            Compute(0, _m, first, last);
        else
            Compute(first, last, 0, _n);
    }

    // The rows and columns of C that the largest part covers.
    private (int Rows, int Columns) LargestPart()
    {
        int unit = _splitColumns ? _nr : _mr, extent = _splitColumns ? _n : _m;
        int largest = Math.Min(extent, ((extent + unit - 1) / unit + _parts - 1) / _parts * unit);
        return _splitColumns ? (_m, largest) : (largest, _n);
    }

    // This thread's packing buffers, sized for a part of up to maxRows x maxColumns of C: every part of the job asks
    // for the same sizes, so a thread's buffers never grow once it has run (or reserved for) one part.
    private void Scratch(int maxRows, int maxColumns, out float* aPack, out float* bPack, out float* edge)
    {
        int mr = _mr, nr = _nr;
        int mcMax = Math.Min(BlockRows, maxRows + mr - 1) / mr * mr;
        int kcMax = Math.Min(BlockDepth, _k);
        int ncMax = (Math.Min(BlockColumns / nr * nr, maxColumns) + nr - 1) / nr * nr;
        aPack = GemmScratch.A(Math.Max(mcMax, mr) * kcMax + GemmPacking.Slack);
        bPack = _packedB is null ? GemmScratch.B(ncMax * kcMax + GemmPacking.Slack) : null;
        edge = GemmScratch.C(mr * nr);
    }

    // Computes C[row0..row1, col0..col1].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Compute(int row0, int row1, int col0, int col1)
    {
        int mr = _mr, nr = _nr;
        int nc = BlockColumns / nr * nr;
        (int maxRows, int maxColumns) = LargestPart();
        Scratch(maxRows, maxColumns, out float* aPack, out float* bPack, out float* edge);
        for (int jc = col0; jc < col1; jc += nc)
        {
            int ncb = Math.Min(nc, col1 - jc);
            for (int pc = 0; pc < _k; pc += BlockDepth)
            {
                int kc = Math.Min(BlockDepth, _k - pc);
                float beta = pc == 0 && _bias is null ? _beta : 1f;
                for (int ic = row0; ic < row1; ic += BlockRows)
                {
                    int mc = Math.Min(BlockRows, row1 - ic);
                    // In place, the kernel reads full panels of A where they are; only a last partial panel may be packed.
                    int packed = _aInPlace ? (_partialInPlace ? mc : mc / mr * mr) : 0;
                    if (packed < mc)
                        GemmPacking.PackA(_transposeA, _a, _lda, ic + packed, mc - packed, pc, kc, mr, aPack + (nint)packed * kc);
                    Block(aPack, bPack, ic, mc, row1, jc, ncb, pc, kc, beta, edge, packB: ic == row0);
                }
            }
        }
    }

    // Runs the micro-kernel over the mc x ncb block whose top-left C element is (ic, jc). The first row block packs
    // B a group of panels at a time just before their first use, so the packed panels are still in cache when the
    // kernel reads them instead of making a round trip through memory (for few rows, packing B is the larger cost).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Block(float* aPack, float* bPack, int ic, int mc, int rowEnd, int jc, int ncb, int pc, int kc, float beta, float* edge, bool packB)
    {
        int mr = _mr, nr = _nr;
        nint ldc = _ldc;
        for (int jr = 0; jr < ncb; jr += nr)
        {
            int cols = Math.Min(nr, ncb - jr);
            float* bPanel = bPack + (nint)jr * kc;
            if (_packedB is not null)
                bPanel = _packedB.Slice(pc) + (nint)(jc + jr) * kc;
            else if (packB && jr % PackGroupColumns == 0)
                GemmPacking.PackB(_transposeB, _b, _ldb, jc + jr, Math.Min(PackGroupColumns, ncb - jr), pc, kc, nr, bPanel);
            // Pre-packed panels lie one after another, so the next one is known: the row tiles of this panel share
            // asking for it (the lines of a panel divided evenly among them). After the block's last panel comes the
            // first panel of the next row block (the same slice) or, after the last row block, of the next slice.
            // A path without a rows kernel runs a last partial row tile on a copy, without prefetching: the full tiles share.
            int tiles = _rowsKernel is not null ? (mc + mr - 1) / mr : mc / mr, lines = kc * nr / 16;
            float* next = null;
            if (_packedB is not null && _prefetchingKernel is not null && tiles > 0)
            {
                if (jr + nr < ncb)
                    next = bPanel + (nint)nr * kc;
                else if (ic + mc < rowEnd)
                    next = _packedB.Slice(pc) + (nint)jc * kc;
                else if (pc + kc < _k)
                {
                    int nextDepth = Math.Min(BlockDepth, _k - pc - kc);
                    next = _packedB.Slice(pc + kc) + (nint)jc * nextDepth;
                    lines = nextDepth * nr / 16;
                }
            }
            for (int ir = 0, tile = 0; ir < mc; ir += mr, tile++)
            {
                int rows = Math.Min(mr, mc - ir);
                float* aPanel = aPack + (nint)ir * kc;
                nint rsA = 1, csA = mr;
                if (_aInPlace && (rows == mr || _partialInPlace))
                {
                    aPanel = _transposeA ? _a + pc * _lda + ic + ir : _a + (ic + ir) * _lda + pc;
                    (rsA, csA) = _transposeA ? ((nint)1, _lda) : (_lda, (nint)1);
                }
                float* cTile = _c + (ic + ir) * ldc + jc + jr;
                if (_bias is not null && pc == 0)
                    FillBias(cTile, ldc, rows, cols, _bias + jc + jr);
                if (next is not null && cols == nr && (rows == mr || _rowsKernel is not null))
                {
                    int first = lines * tile / tiles, last = lines * (tile + 1) / tiles;
                    _prefetchingKernel(rows, kc, aPanel, rsA, csA, bPanel, cTile, ldc, _alpha, beta, next + (nint)first * 16, last - first);
                    continue;
                }
                if (rows == mr && cols == nr)
                {
                    _kernel(kc, aPanel, rsA, csA, bPanel, cTile, ldc, _alpha, beta);
                    continue;
                }
                if (cols == nr && _rowsKernel is not null)
                {
                    _rowsKernel(rows, kc, aPanel, rsA, csA, bPanel, cTile, ldc, _alpha, beta);
                    continue;
                }
                // An edge tile runs the same kernel on a full-size copy, so its elements get the same arithmetic.
                if (beta != 0f)
                    CopyTile(cTile, ldc, edge, nr, rows, cols);
                _kernel(kc, aPanel, rsA, csA, bPanel, edge, nr, _alpha, beta);
                CopyTile(edge, nr, cTile, ldc, rows, cols);
            }
        }
    }

    // A tile's rows are a few vectors long: copied inline, without a call per row.
    private static void FillBias(float* cTile, nint ldc, int rows, int cols, float* bias)
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = cTile + r * ldc;
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; j + Vector256<float>.Count <= cols; j += Vector256<float>.Count)
                    Vector256.Store(Vector256.Load(bias + j), row + j);
            for (; j < cols; j++)
                row[j] = bias[j];
        }
    }

    private static void CopyTile(float* from, nint ldFrom, float* to, nint ldTo, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<float>(from + r * ldFrom, cols).CopyTo(new Span<float>(to + r * ldTo, cols));
    }
}
