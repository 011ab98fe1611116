using System.Globalization;
using Microsoft.ML.Vae.Core.Training;
using Spectre.Console;

namespace Microsoft.ML.Vae.Cli.Output;

/// <summary>
/// Shows training progress: a live bar with the loss terms on a terminal, plain lines when the
/// output is redirected (logs, CI). Reports arrive synchronously on the training thread.
/// </summary>
internal static class ProgressView
{
    public static TrainingResult Run(long totalSteps, TextWriter output, Func<IProgress<TrainingProgress>, TrainingResult> train)
    {
        bool live = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out) && AnsiConsole.Profile.Capabilities.Interactive;
        if (!live) return train(new LineProgress(output));
        TrainingResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: totalSteps);
                result = train(new BarProgress(task, output));
            });
        return result!;
    }

    internal static string FormatTerms(IReadOnlyDictionary<string, double> terms) =>
        string.Join("  ", terms.Select(t => $"{t.Key} {t.Value.ToString("G4", CultureInfo.InvariantCulture)}"));

    private sealed class LineProgress(TextWriter output) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            if (p.Message is not null) output.WriteLine($"[{p.Step}/{p.TotalSteps}] {p.Message}");
            if (p.Terms.Count == 0) return;
            string kind = p.IsEvaluation ? "eval" : "step";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kind} {p.Step}/{p.TotalSteps}  {FormatTerms(p.Terms)}  ({p.StepsPerSecond:F1} it/s)"));
        }
    }

    private sealed class BarProgress(ProgressTask task, TextWriter output) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            task.Value = p.Step;
            if (p.Terms.Count > 0 && !p.IsEvaluation)
                task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{FormatTerms(p.Terms)}  {p.StepsPerSecond:F0} it/s"));
            if (p.Message is not null || p.IsEvaluation)
                AnsiConsole.MarkupLine(Markup.Escape($"[{p.Step}] {p.Message ?? FormatTerms(p.Terms)}"));
        }
    }
}
