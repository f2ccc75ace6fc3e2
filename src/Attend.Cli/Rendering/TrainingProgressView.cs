using System.Globalization;
using Attend.Training;
using Spectre.Console;

namespace Attend.Cli;

/// <summary>
/// Shows a training run: a Spectre.Console progress bar with loss, learning rate, tokens per second and time left on
/// an interactive terminal, else a plain line every few percent (logs, pipes, CI).
/// </summary>
internal static class TrainingProgressView
{
    public static T Run<T>(IAnsiConsole console, int totalSteps, Func<Action<StepReport>, Action<string>, T> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            int every = Math.Max(1, totalSteps / 20);
            return work(r =>
            {
                if (r.Step % every == 0 || r.Step == r.TotalSteps)
                    console.WriteLine(Describe(r) + string.Create(CultureInfo.InvariantCulture, $"  {r.Elapsed.TotalSeconds:F0}s"));
            }, stage => console.WriteLine(stage + " ..."));
        }
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask("preparing", maxValue: totalSteps);
                result = work(r =>
                {
                    task.Description = Markup.Escape(Describe(r));
                    task.Value = r.Step;
                }, stage => task.Description = Markup.Escape(stage));
                task.Value = task.MaxValue;
            });
        return result;
    }

    private static string Describe(StepReport r) => string.Create(CultureInfo.InvariantCulture,
        $"step {r.Step}/{r.TotalSteps}  loss {r.Loss:F3}  lr {r.LearningRate:E2}  {r.TokensPerSecond:N0} tok/s");
}
