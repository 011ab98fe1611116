namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>Settings of <see cref="LinearProbe"/>.</summary>
public sealed class LinearProbeOptions
{
    /// <summary>Full-batch Adam steps (default 500). Fixed, so a fit is deterministic.</summary>
    public int Iterations { get; set; } = 500;

    /// <summary>Adam learning rate (default 0.05; inputs are standardized, so one rate suits all data sets).</summary>
    public double LearningRate { get; set; } = 0.05;

    /// <summary>
    /// L2 penalty λ on the weights (not the biases), added as ½λ‖W‖² to the mean cross-entropy
    /// (default 1e-4).
    /// </summary>
    public double L2 { get; set; } = 1e-4;

    /// <summary>Standardize inputs with the training mean and standard deviation (default true).</summary>
    public bool Standardize { get; set; } = true;

    internal void Validate()
    {
        if (Iterations <= 0) throw new ArgumentOutOfRangeException(nameof(Iterations), "Iterations must be positive.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), "The learning rate must be positive and finite.");
        if (!(L2 >= 0) || double.IsInfinity(L2)) throw new ArgumentOutOfRangeException(nameof(L2), "The L2 penalty must be non-negative and finite.");
    }
}
