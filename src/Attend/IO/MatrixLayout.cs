namespace Attend.IO;

/// <summary>Layout changes of stored weight matrices (exporters that keep a linear layer's weight as [in, out]).</summary>
internal static class MatrixLayout
{
    /// <summary>T[c, r] = M[r, c]: <paramref name="matrix"/> [rows, cols] into <paramref name="transposed"/> [cols, rows].</summary>
    public static void Transpose(ReadOnlySpan<float> matrix, int rows, int cols, Span<float> transposed)
    {
        if (matrix.Length != rows * cols || transposed.Length != rows * cols)
            throw new ArgumentException($"Transpose: a [{rows}, {cols}] matrix needs {rows * cols} floats each side, got {matrix.Length} and {transposed.Length}");
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                transposed[c * rows + r] = matrix[r * cols + c];
    }

    /// <summary>A new array holding the transpose [cols, rows] of <paramref name="matrix"/> [rows, cols].</summary>
    public static float[] Transpose(float[] matrix, int rows, int cols)
    {
        float[] transposed = new float[matrix.Length];
        Transpose(matrix, rows, cols, transposed);
        return transposed;
    }
}
