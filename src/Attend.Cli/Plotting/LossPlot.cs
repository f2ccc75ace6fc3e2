namespace Attend.Cli.Plotting;

/// <summary>The loss curves of a training run as a PNG: training and validation loss against the step.</summary>
internal static class LossPlot
{
    public static void Save(string path, IReadOnlyList<(long Step, double Loss)> train, IReadOnlyList<(long Step, double Loss)> validation, string title)
    {
        PngFile.Save(path, temp =>
        {
            var plot = new ScottPlot.Plot();
            if (train.Count > 0)
            {
                var line = plot.Add.ScatterLine(train.Select(p => (double)p.Step).ToArray(), train.Select(p => p.Loss).ToArray());
                line.LegendText = "training";
                line.LineWidth = 2;
            }
            if (validation.Count > 0)
            {
                var line = plot.Add.ScatterLine(validation.Select(p => (double)p.Step).ToArray(), validation.Select(p => p.Loss).ToArray());
                line.LegendText = "validation";
                line.LineWidth = 2;
                line.MarkerSize = 6;
            }
            plot.Title(title);
            plot.XLabel("step");
            plot.YLabel("loss (cross-entropy per token)");
            plot.ShowLegend();
            plot.SavePng(temp, 900, 540);
        });
    }
}
