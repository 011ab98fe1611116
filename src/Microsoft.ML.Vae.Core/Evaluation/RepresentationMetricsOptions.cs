namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>How many labelled training codes the representation classifiers see.</summary>
public enum RepresentationRegime
{
    /// <summary>
    /// "few": <see cref="RepresentationMetricsOptions.FewLabelledCount"/> training codes (default 1,000,
    /// a seeded random subset) and k = <see cref="RepresentationMetricsOptions.FewK"/> (default 5) neighbours.
    /// </summary>
    Few = 0,

    /// <summary>"many": every training code and k = <see cref="RepresentationMetricsOptions.ManyK"/> (default 100) neighbours.</summary>
    Many = 1,
}

/// <summary>Which latent vector represents an image.</summary>
public enum LatentEncoding
{
    /// <summary>The posterior mean μ(x) (deterministic; the default).</summary>
    PosteriorMean = 0,

    /// <summary>One reparameterized sample z = μ + σ·ε, as the prior-learning evaluation code does.</summary>
    PosteriorSample = 1,
}

/// <summary>Settings of <see cref="RepresentationMetrics"/>. The k values follow the prior-learning evaluation protocol.</summary>
public sealed class RepresentationMetricsOptions
{
    /// <summary>Labelled training codes in the "few" regime (default 1,000).</summary>
    public int FewLabelledCount { get; set; } = 1000;

    /// <summary>k-NN neighbours in the "few" regime (default 5).</summary>
    public int FewK { get; set; } = 5;

    /// <summary>k-NN neighbours in the "many" regime (default 100).</summary>
    public int ManyK { get; set; } = 100;

    /// <summary>Latent vector per image (default the posterior mean).</summary>
    public LatentEncoding Encoding { get; set; } = LatentEncoding.PosteriorMean;

    /// <summary>Images encoded at once (default 500).</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Seed of the "few" subset choice and, when sampling, of libtorch's generator (default 0).</summary>
    public int Seed { get; set; }

    /// <summary>Settings of the linear probe (defaults of <see cref="LinearProbeOptions"/>; standardization is done once beforehand).</summary>
    public LinearProbeOptions LinearProbe { get; set; } = new();

    internal void Validate()
    {
        if (FewLabelledCount <= 0) throw new ArgumentOutOfRangeException(nameof(FewLabelledCount), "The few-label count must be positive.");
        if (FewK <= 0 || ManyK <= 0) throw new ArgumentOutOfRangeException(nameof(FewK), "k must be positive.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), "The batch size must be positive.");
        if (!Enum.IsDefined(Encoding)) throw new ArgumentOutOfRangeException(nameof(Encoding), $"Unknown encoding {Encoding}.");
        ArgumentNullException.ThrowIfNull(LinearProbe, nameof(LinearProbe));
        LinearProbe.Validate();
    }
}
