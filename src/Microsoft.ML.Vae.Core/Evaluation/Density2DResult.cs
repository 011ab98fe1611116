namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>The 2-D density benchmark of a model (algorithms spec §2.5).</summary>
/// <param name="Kl">Histogram KL(real ‖ model) with the reference's /bins ("batchmean") factor; lower is better.</param>
/// <param name="Jsd">The reference's JSD variant ½[KL(M‖P) + KL(M‖Q)] /bins; lower is better.</param>
/// <param name="GnElbo">Grid-normalized negative ELBO of the data (≈1e-7; the prior-learning paper reports ×1e7); lower is better. NaN when skipped.</param>
/// <param name="SampleEntropy">KL(uniform ‖ model histogram) /bins, the prior-learning paper's proxy for low sample entropy.</param>
/// <param name="Range">The half-width R of [−R, R]² used.</param>
public sealed record Density2DResult(double Kl, double Jsd, double GnElbo, double SampleEntropy, double Range)
{
    /// <summary>The gnELBO's numerator: mean negative ELBO e(x) of the data points (lower: data explained better). NaN when skipped.</summary>
    public double DataNegElbo { get; init; } = double.NaN;

    /// <summary>Mean e(x) over the grid, the denominator's grid sum per point (higher: less mass off the data). NaN when skipped.</summary>
    public double GridNegElbo { get; init; } = double.NaN;
}
