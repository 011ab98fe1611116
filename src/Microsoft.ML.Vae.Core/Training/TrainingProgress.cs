namespace Microsoft.ML.Vae.Core.Training;

/// <summary>One progress report of the <see cref="Trainer"/>: a log point, an evaluation, or a message.</summary>
/// <param name="Step">Steps completed (1-based index of the last step).</param>
/// <param name="TotalSteps">The run's <see cref="TrainerOptions.Iterations"/>.</param>
/// <param name="Terms">Loss terms of <paramref name="Step"/> ("loss" is the total), or evaluation metrics when <paramref name="IsEvaluation"/>; empty for a pure message.</param>
/// <param name="LearningRates">Current learning rate of every optimizer, by optimizer name.</param>
/// <param name="Elapsed">Wall time of this run so far (not counting earlier runs before a resume).</param>
/// <param name="StepsPerSecond">Throughput since the previous log point.</param>
/// <param name="IsEvaluation">True when <paramref name="Terms"/> are the results of <see cref="TrainerOptions.Evaluate"/>.</param>
/// <param name="Message">A notice (checkpoint written, resumed, rolled back...), or null.</param>
public sealed record TrainingProgress(
    long Step,
    long TotalSteps,
    IReadOnlyDictionary<string, double> Terms,
    IReadOnlyDictionary<string, double> LearningRates,
    TimeSpan Elapsed,
    double StepsPerSecond,
    bool IsEvaluation = false,
    string? Message = null);
