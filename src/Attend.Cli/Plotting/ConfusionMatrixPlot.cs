using System.Globalization;
using Attend.Evaluation;

namespace Attend.Cli.Plotting;

/// <summary>A confusion matrix as a PNG heatmap: true classes down, predicted classes across, each cell's count written in it.</summary>
internal static class ConfusionMatrixPlot
{
    public static void Save(string path, ConfusionMatrix matrix, string title)
    {
        int n = matrix.Classes.Count;
        double[,] data = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            int support = Math.Max(1, matrix.Support(i));
            for (int j = 0; j < n; j++)
                data[i, j] = (double)matrix.Counts[i, j] / support;   // colour: the share of the row, so rare classes read alike
        }
        PngFile.Save(path, temp =>
        {
            var plot = new ScottPlot.Plot();
            var map = plot.Add.Heatmap(data);
            map.Colormap = new ScottPlot.Colormaps.Viridis();
            map.Extent = new ScottPlot.CoordinateRect(0, Math.Max(1, n - 1), 0, Math.Max(1, n - 1));
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    var text = plot.Add.Text(matrix.Counts[i, j].ToString(CultureInfo.InvariantCulture), j, n - 1 - i);
                    text.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
                    text.LabelFontColor = data[i, j] > 0.5 ? ScottPlot.Colors.Black : ScottPlot.Colors.White;
                    text.LabelFontSize = 12;
                }
            double[] ticks = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, matrix.Classes.ToArray());
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => n - 1 - t).ToArray(), matrix.Classes.ToArray());
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 90;
            plot.Axes.Left.MinimumSize = 90;
            plot.Title(title);
            plot.XLabel("predicted");
            plot.YLabel("true");
            plot.SavePng(temp, Math.Max(520, 160 + 56 * n), Math.Max(480, 160 + 48 * n));
        });
    }
}
