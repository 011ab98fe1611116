namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>Settings of <see cref="LeakageScore"/>. The defaults follow the dpVAE code with the intended math.</summary>
public sealed class LeakageOptions
{
    /// <summary>The dpVAE thresholds τ: −90, −70, −50, −30, −10, −1.</summary>
    public static IReadOnlyList<double> DefaultThresholds { get; } = [-90, -70, -50, -30, -10, -1];

    /// <summary>Aggregate-posterior samples M that are scored (default 3000).</summary>
    public int Samples { get; set; } = 3000;

    /// <summary>Stored encodings N that define ℓ_q (default 5000; all rows when the data has fewer).</summary>
    public int Encodings { get; set; } = 5000;

    /// <summary>Thresholds τ, in nats (default <see cref="DefaultThresholds"/>).</summary>
    public IReadOnlyList<double> Thresholds { get; set; } = DefaultThresholds;

    /// <summary>Which samples a threshold selects (default <see cref="LeakageThresholdMode.PriorLogDensityBelow"/>).</summary>
    public LeakageThresholdMode ThresholdMode { get; set; } = LeakageThresholdMode.PriorLogDensityBelow;

    /// <summary>
    /// Reproduces the dpVAE code: ℓ_p = log N(g(z); 0, I) in generation space, without the flow's
    /// log|det ∂g/∂z|. Default false: ℓ_p is the model prior's exact log p(z). Has no effect for a
    /// prior without a generation space.
    /// </summary>
    public bool PriorDensityInGenerationSpaceWithoutJacobian { get; set; }

    /// <summary>Encoder batch size (default 500).</summary>
    public int BatchSize { get; set; } = 500;
}
