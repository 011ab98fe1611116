namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>Settings of <see cref="LowPosteriorSampler"/>. The defaults follow the dpVAE code (keep 100 of 500 per round).</summary>
public sealed class LowPosteriorOptions
{
    /// <summary>Prior samples scored per round (default 500).</summary>
    public int CandidatesPerRound { get; set; } = 500;

    /// <summary>Fraction of each round's candidates kept, the lowest-scoring ones (default 0.2: 100 of 500).</summary>
    public double KeepFraction { get; set; } = 0.2;

    /// <summary>Data rows whose encodings define the aggregate posterior of one round (default 100, the code's batch).</summary>
    public int DataBatchSize { get; set; } = 100;

    /// <summary>
    /// Reproduces the dpVAE code's score log meanₙ exp(−Σⱼ (zⱼ − μₙⱼ)² / logvarₙⱼ), which divides by
    /// the log-variance instead of using the Gaussian density. Default false: the intended
    /// log (1/N) Σₙ N(z; μₙ, diag σ²ₙ).
    /// </summary>
    public bool ReproduceLogVarDivisionQuirk { get; set; }

    /// <summary>Decoder batch size (default 500).</summary>
    public int DecodeBatchSize { get; set; } = 500;
}
