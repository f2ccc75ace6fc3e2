using Attend.Training;

namespace Attend.Cli.Training;

/// <summary>Writes loss.png (training and validation loss against the step) beside the checkpoints.</summary>
internal static class LossCurve
{
    public static string? TrySave(string path, TrainerState state)
    {
        if (state.TrainLosses.Count == 0)
            return null;
        Plotting.LossPlot.Save(path, Smooth(state.TrainLosses), state.ValidationLosses, "loss");
        return path;
    }

    /// <summary>A running mean over windows of 1/100 of the run, so the curve reads through the step-to-step noise.</summary>
    private static List<(long Step, double Loss)> Smooth(List<(long Step, double Loss)> losses)
    {
        int window = Math.Max(1, losses.Count / 100);
        var points = new List<(long, double)>();
        for (int i = 0; i + window <= losses.Count; i += window)
            points.Add((losses[i + window - 1].Step, losses.Skip(i).Take(window).Average(l => l.Loss)));
        return points;
    }
}
