namespace Attend.Kernels;

/// <summary>The ways <see cref="Gemm.Multiply"/> can compute a product; tests force each one.</summary>
internal enum GemmPath
{
    /// <summary>Packed panels and the 6 x 32 AVX-512 micro-kernel.</summary>
    PackedAvx512,

    /// <summary>Packed panels and the 6 x 16 AVX2/FMA micro-kernel.</summary>
    PackedAvx2,

    /// <summary>Packed panels and the portable 6 x 8 Vector128 micro-kernel.</summary>
    PackedVector128,

    /// <summary>Packed panels and the scalar 4 x 4 micro-kernel.</summary>
    PackedScalar,

    /// <summary>Few rows of A against a large B read in place (no packing): decoding shapes; needs AVX2/FMA.</summary>
    SmallRows,
}
