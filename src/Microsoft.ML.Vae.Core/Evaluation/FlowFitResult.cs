namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>How well a prior covers the aggregate posterior (see <see cref="FlowFit"/>).</summary>
/// <param name="MappedMean">
/// Mean of the aggregate-posterior samples mapped to the generation space (z0 = g(z)); N(0, I) has 0.
/// Null when the prior has no generation space (e.g. a mixture prior).
/// </param>
/// <param name="MappedStd">Per-coordinate standard deviation of the mapped samples (N(0, I) has 1), or null.</param>
/// <param name="GaussianKl">
/// KL(N(m, S) ‖ N(0, I)) in nats for the Gaussian N(m, S) fitted (full covariance) to the mapped samples, or null.
/// </param>
/// <param name="TypicalSpacing">Median distance from an encoding (aggregate-posterior sample) to its nearest other encoding.</param>
/// <param name="SpacingMultiple">The multiple of <paramref name="TypicalSpacing"/> beyond which a prior draw is far.</param>
/// <param name="FarShare">Share of prior draws (in the latent space) farther than <paramref name="SpacingMultiple"/> × <paramref name="TypicalSpacing"/> from every encoding.</param>
/// <param name="Samples">Aggregate-posterior samples and prior draws, each.</param>
/// <param name="IsPoorFit">True when <paramref name="GaussianKl"/> or <paramref name="FarShare"/> exceeds its limit in <see cref="FlowFitOptions"/>.</param>
/// <param name="Verdict">One sentence for people: what was found, with the numbers that decided it.</param>
public sealed record FlowFitResult(
    double[]? MappedMean,
    double[]? MappedStd,
    double? GaussianKl,
    double TypicalSpacing,
    double SpacingMultiple,
    double FarShare,
    int Samples,
    bool IsPoorFit,
    string Verdict)
{
    /// <summary>The distance beyond which a prior draw counts as far: <see cref="SpacingMultiple"/> × <see cref="TypicalSpacing"/>.</summary>
    public double FarDistance => SpacingMultiple * TypicalSpacing;
}
