namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>Which samples a leakage threshold τ selects.</summary>
public enum LeakageThresholdMode
{
    /// <summary>
    /// S_τ = { i : ℓ_p(zᵢ) &lt; τ }: samples where the prior log-density is below τ (the dpVAE
    /// code's definition; the sets are nested as τ grows). The default.
    /// </summary>
    PriorLogDensityBelow = 0,

    /// <summary>
    /// S_τ = { i : ℓ_q(zᵢ) − ℓ_p(zᵢ) &gt; τ }: samples whose log-density gap exceeds τ (the
    /// alternative reading of the paper's "threshold on log-probability differences").
    /// </summary>
    LogDensityGapAbove = 1,
}
