namespace Microsoft.ML.Vae.Core.Training;

/// <summary>What the <see cref="Trainer"/> does when a loss term becomes NaN or infinite.</summary>
public enum NanPolicy
{
    /// <summary>Stop with a <see cref="TrainingDivergedException"/> naming the step and the term (the default).</summary>
    Throw,

    /// <summary>
    /// Go back to the last good checkpoint (kept in memory, so no directory is needed), multiply
    /// every learning rate by <see cref="TrainerOptions.LrFactor"/> and continue; after
    /// <see cref="TrainerOptions.MaxRollbacks"/> rollbacks, throw as <see cref="Throw"/> does.
    /// </summary>
    RollbackAndLowerLr,
}
