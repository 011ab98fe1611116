namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>How <see cref="Density2DMetrics"/> estimates the KL term of the per-point negative ELBO.</summary>
public enum Density2DKlMode
{
    /// <summary>The model's own training choice: closed form for N(0, I) with an analytic KL, Monte Carlo otherwise.</summary>
    Auto,

    /// <summary>Closed-form KL to N(0, I) (the S-IntroVAE code; only valid for a standard normal prior).</summary>
    ClosedForm,

    /// <summary>Monte-Carlo KL to the model's prior with one fixed noise draw shared by every point (the prior-learning code).</summary>
    MonteCarlo,
}

/// <summary>
/// Settings of the 2-D density benchmark (algorithms spec §2.5). The defaults are the reference
/// procedure: 5,000 + 5,000 samples in 100×100 bins, a 1,024×1,024 grid and 100 batches of 128 data points.
/// </summary>
public sealed class Density2DOptions
{
    /// <summary>Data and model samples per histogram (default 5,000).</summary>
    public int Samples { get; set; } = 5000;

    /// <summary>Histogram bins per axis (default 100).</summary>
    public int Bins { get; set; } = 100;

    /// <summary>Half-width R of the square [−R, R]²; null (default) = the data set's plot range (2 for 8gaussians, 4 otherwise).</summary>
    public double? Range { get; set; }

    /// <summary>Grid points per axis for the grid-normalized ELBO and the density map (default 1,024).</summary>
    public int GridPoints { get; set; } = 1024;

    /// <summary>Data batches added to the gnELBO normalizer (default 100).</summary>
    public int DataBatches { get; set; } = 100;

    /// <summary>Samples per data batch (default 128).</summary>
    public int DataBatchSize { get; set; } = 128;

    /// <summary>KL estimator of the negative ELBO (default <see cref="Density2DKlMode.Auto"/>).</summary>
    public Density2DKlMode KlMode { get; set; } = Density2DKlMode.Auto;

    /// <summary>Monte-Carlo samples per point when the KL is estimated (default 100).</summary>
    public int MonteCarloSamples { get; set; } = 100;

    /// <summary>Points evaluated together with the closed-form KL (default 16,384; bounds memory).</summary>
    public int ChunkSize { get; set; } = 16_384;

    /// <summary>Latent samples (points × Monte-Carlo samples) evaluated together with a Monte-Carlo KL (default 65,536).</summary>
    public int MonteCarloChunkSamples { get; set; } = 65_536;

    /// <summary>Skip the gnELBO (the most expensive part); <see cref="Density2DResult.GnElbo"/> is then NaN. Default false.</summary>
    public bool SkipGnElbo { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Samples < 1) throw new ArgumentException($"Samples must be positive (got {Samples}).", nameof(Samples));
        if (Bins < 1) throw new ArgumentException($"Bins must be positive (got {Bins}).", nameof(Bins));
        if (Range is double r && !(r > 0 && double.IsFinite(r))) throw new ArgumentException($"Range must be positive and finite (got {r}).", nameof(Range));
        if (GridPoints < 2) throw new ArgumentException($"GridPoints must be at least 2 (got {GridPoints}).", nameof(GridPoints));
        if (DataBatches < 1) throw new ArgumentException($"DataBatches must be positive (got {DataBatches}).", nameof(DataBatches));
        if (DataBatchSize < 1) throw new ArgumentException($"DataBatchSize must be positive (got {DataBatchSize}).", nameof(DataBatchSize));
        if (!Enum.IsDefined(KlMode)) throw new ArgumentException($"Unknown KL mode {KlMode}.", nameof(KlMode));
        if (MonteCarloSamples < 1) throw new ArgumentException($"MonteCarloSamples must be positive (got {MonteCarloSamples}).", nameof(MonteCarloSamples));
        if (ChunkSize < 1) throw new ArgumentException($"ChunkSize must be positive (got {ChunkSize}).", nameof(ChunkSize));
        if (MonteCarloChunkSamples < 1) throw new ArgumentException($"MonteCarloChunkSamples must be positive (got {MonteCarloChunkSamples}).", nameof(MonteCarloChunkSamples));
    }
}
