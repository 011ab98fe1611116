namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>The leakage curve: one <see cref="LeakagePoint"/> per threshold, in the order given.</summary>
/// <param name="Points">Value and count per threshold.</param>
/// <param name="Samples">Aggregate-posterior samples M that were scored.</param>
/// <param name="Mode">How the thresholds selected samples.</param>
public sealed record LeakageResult(IReadOnlyList<LeakagePoint> Points, int Samples, LeakageThresholdMode Mode);
