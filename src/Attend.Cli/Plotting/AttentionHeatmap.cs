namespace Attend.Cli.Plotting;

/// <summary>Attention weights as a PNG heatmap: one row per query token (top to bottom), one column per key token, with the tokens as tick labels.</summary>
internal static class AttentionHeatmap
{
    public static void Save(string path, ReadOnlySpan<float> weights, int rows, int cols, IReadOnlyList<string> rowLabels, IReadOnlyList<string> colLabels, string title)
    {
        if (weights.Length != rows * cols)
            throw new ArgumentException($"AttentionHeatmap: {weights.Length} weights do not fill {rows} x {cols}");
        if (rowLabels.Count != rows || colLabels.Count != cols)
            throw new ArgumentException($"AttentionHeatmap: {rowLabels.Count} row and {colLabels.Count} column labels for {rows} x {cols} weights");
        double[,] data = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                data[i, j] = weights[i * cols + j];
        PngFile.Save(path, temp =>
        {
            var plot = new ScottPlot.Plot();
            var map = plot.Add.Heatmap(data);
            map.Colormap = new ScottPlot.Colormaps.Viridis();
            // ScottPlot places the centres of the edge cells on the extent: cell (i, j) is centred at (j, rows - 1 - i)
            map.Extent = new ScottPlot.CoordinateRect(0, Math.Max(1, cols - 1), 0, Math.Max(1, rows - 1));
            plot.Add.ColorBar(map);
            double[] xs = Enumerable.Range(0, cols).Select(i => (double)i).ToArray();
            double[] ys = Enumerable.Range(0, rows).Select(i => (double)(rows - 1 - i)).ToArray();
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, colLabels.Select(Visible).ToArray());
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ys, rowLabels.Select(Visible).ToArray());
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 80;
            plot.Axes.Left.MinimumSize = 80;
            plot.Title(title);
            plot.XLabel("keys");
            plot.YLabel("queries");
            plot.SavePng(temp, Math.Max(500, 60 + 42 * cols), Math.Max(400, 120 + 36 * rows));
        });
    }

    /// <summary>A token as it reads on an axis: spaces shown as a middle dot, empty as a placeholder.</summary>
    private static string Visible(string token) => token.Length == 0 ? "∅" : token.Replace(' ', '·');
}
