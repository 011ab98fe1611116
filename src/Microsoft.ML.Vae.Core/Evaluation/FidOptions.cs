namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>Settings of <see cref="FidCalculator"/>. Defaults follow the S-IntroVAE FID protocol.</summary>
public sealed class FidOptions
{
    /// <summary>Quantize both image sets to 8 bits before extraction (default true, see <see cref="FidInputs.Quantize"/>).</summary>
    public bool Quantize { get; set; } = true;

    /// <summary>Images handed to the extractor at once, and samples decoded at once (default 500).</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// When set, seeds libtorch's generator before drawing prior samples or posterior noise, so a
    /// measurement is repeatable (default null: the current random state is used).
    /// </summary>
    public long? Seed { get; set; }

    /// <summary>
    /// Leaves the VAE in training mode while it generates (default false). The S-IntroVAE and
    /// prior-learning code generate in training mode, so decoder batch norm uses each fake batch's
    /// statistics (and updates its running statistics, as theirs does); set true to reproduce their
    /// numbers. The model is left in evaluation mode afterwards either way.
    /// </summary>
    public bool GenerateInTrainingMode { get; set; }

    /// <summary>
    /// Reconstructions decode the posterior mean (default true); false decodes one reparameterized
    /// sample z = μ + σ·ε per image.
    /// </summary>
    public bool ReconstructFromPosteriorMean { get; set; } = true;

    internal void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), "The batch size must be positive.");
    }
}
