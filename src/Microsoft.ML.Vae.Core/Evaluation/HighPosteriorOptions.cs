namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>Settings of <see cref="HighPosteriorSampler"/>. The defaults follow the dpVAE code.</summary>
public sealed class HighPosteriorOptions
{
    /// <summary>Aggregate-posterior candidates drawn per requested sample (default 10: keep B of 10·B).</summary>
    public int CandidateFactor { get; set; } = 10;

    /// <summary>Encoder and decoder batch size (default 500).</summary>
    public int BatchSize { get; set; } = 500;
}
