namespace Microsoft.ML.Vae.Core.Training;

/// <summary>What a call to <see cref="Trainer.Train"/> produced.</summary>
/// <param name="FinalStep">Steps completed in total (including steps before a resume).</param>
/// <param name="FinalTerms">Loss terms of the last completed step ("loss" is the total); empty when no step ran.</param>
/// <param name="WallTime">Wall time of this call.</param>
/// <param name="Cancelled">True when the cancellation token stopped training early.</param>
/// <param name="CheckpointPath">The last checkpoint file written or resumed from, or null.</param>
/// <param name="History">Logged terms and evaluations of the whole run (resumed runs include earlier rows).</param>
/// <param name="Rollbacks">NaN rollbacks performed (see <see cref="NanPolicy.RollbackAndLowerLr"/>).</param>
public sealed record TrainingResult(
    long FinalStep,
    IReadOnlyDictionary<string, double> FinalTerms,
    TimeSpan WallTime,
    bool Cancelled,
    string? CheckpointPath,
    TrainingHistory History,
    int Rollbacks = 0);
