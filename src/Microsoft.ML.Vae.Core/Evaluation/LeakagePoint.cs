namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>The leakage score at one threshold.</summary>
/// <param name="Threshold">τ in nats.</param>
/// <param name="Value">Mean of ℓ_q − ℓ_p over the selected samples; 0 when none is selected.</param>
/// <param name="Count">Number of selected samples |S_τ|.</param>
public readonly record struct LeakagePoint(double Threshold, double Value, int Count);
